import "server-only";

// Where the bulk import's rows come from (lib/query/import-sql.ts builds the
// queries over them): a file under DATA_DIR/imports read by the engine's
// file() with the settings that keep its columns text, a Parquet row range,
// or the staging table a Parquet file of many chunks is copied into.

export type FileSource = {
  /** Absolute path under DATA_DIR/imports, already checked (lib/import/imports-dir.ts). */
  path: string;
  format: "csv" | "parquet" | "ndjson";
  /** Parquet: rows [start, end) of the file. */
  rows?: [number, number];
  /** CSV: a field holds a quote as text (lib/import/records.ts): parsed on one thread, as the engine's parallel parser cuts such a file wrongly. */
  oneThread?: boolean;
  /** Parquet of many chunks: the rows are read from the file's staging table (`stageQueries`), not from the file. */
  stage?: ParquetStage;
};

/** A Parquet file's mapped columns and row numbers, copied once into a table ordered by row number. */
export type ParquetStage = { table: string; rowColumn: string };

/** Read CSV columns as text (no type guessing: a late "abc" in a number column must not fail the file). */
export const READ_SETTINGS = {
  input_format_csv_use_best_effort_in_schema_inference: 0,
  schema_inference_make_columns_nullable: 1,
  input_format_csv_allow_variable_number_of_columns: 1,
  input_format_parquet_preserve_order: 1,
} as const;

/**
 * How the engine reads `source`. A CSV chunk holding a quote as text
 * (`oneThread`) is parsed on one thread and its rows are counted by parsing
 * it: the engine's parallel parser and its shortcut count both misread such
 * quotes. Without one, the shortcut count equals the parse
 * (lib/import/records.test.ts holds it to that).
 */
export function readSettings(source: FileSource): Record<string, number> {
  if (source.format !== "csv" || !source.oneThread) return { ...READ_SETTINGS };
  return { ...READ_SETTINGS, optimize_count_from_files: 0, input_format_parallel_parsing: 0 };
}

const SAFE_PATH = /^\/[A-Za-z0-9/_.-]+$/;

export function fileFunction(source: FileSource): string {
  if (!SAFE_PATH.test(source.path) || source.path.includes("..")) throw new Error(`unexpected import path ${source.path}`);
  return `file('${source.path}', ${source.format === "csv" ? "CSVWithNames" : source.format === "parquet" ? "Parquet" : "LineAsString"})`;
}

/** A column name from the file, as an identifier. */
export function quoteColumn(name: string): string {
  return `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;
}

/**
 * Parquet rows [start, end). From a staging table, a bound on its row column
 * (its sorting key: only the range's granules are read). From the file, the
 * bound on `_row_number`, then a LIMIT of the range's length: the engine
 * decodes the file's row groups whatever the bound says (it prunes row groups
 * by column statistics, and `_row_number` has none); the LIMIT stops the reader
 * once the range is read, so a chunk decodes the file up to its end, not all
 * of it. Exactly the range's rows pass the bound, so the LIMIT keeps every one
 * of them, in any order.
 */
export function rowRange(source: FileSource): string {
  if (!source.rows) return "";
  const [start, end] = source.rows.map(Math.trunc);
  if (source.stage) return ` WHERE ${source.stage.rowColumn} >= ${start} AND ${source.stage.rowColumn} < ${end}`;
  return ` WHERE _row_number >= ${start} AND _row_number < ${end} LIMIT ${Math.max(0, end - start)}`;
}

/** Where the rows are read from: the file, or its staging table. */
export function rowsFrom(source: FileSource): string {
  if (!source.stage) return fileFunction(source);
  if (!STAGE_TABLE.test(source.stage.table)) throw new Error(`unexpected staging table ${source.stage.table}`);
  return source.stage.table;
}

const STAGE_TABLE = /^[A-Za-z_][A-Za-z0-9_]*\.p_[0-9a-f]{64}_[0-9a-f]{16}$/;

/**
 * A Parquet file of many chunks is copied once into a staging table: read as
 * row ranges of the file, chunk n would decode the file's first n ranges again
 * (the engine cannot start a read at a row), and an import of n chunks would
 * cost n²/2 decodes. The table holds the mapped columns, with the types the
 * file gives them, and each row's number in the file as its sorting key. It is
 * filled under a temporary name and renamed when complete, so a table under
 * the final name is always whole.
 */
export function stageQueries(options: { source: FileSource; columns: string[]; database: string; fileHash: string; specHash: string }): { stage: ParquetStage; create: string[] } {
  const { source, columns, database } = options;
  const name = `p_${options.fileHash}_${options.specHash.slice(0, 16)}`;
  const table = `${database}.${name}`;
  if (!STAGE_TABLE.test(table)) throw new Error(`unexpected staging table ${table}`);
  let rowColumn = "enclave_row";
  while (columns.includes(rowColumn)) rowColumn = `_${rowColumn}`;
  const filling = `${database}.${name}_filling`;
  return {
    stage: { table, rowColumn },
    create: [
      `CREATE DATABASE IF NOT EXISTS ${database}`,
      `DROP TABLE IF EXISTS ${filling} SYNC`,
      `CREATE TABLE ${filling} ENGINE = MergeTree ORDER BY ${rowColumn} AS SELECT ${[...columns.map(quoteColumn), `assumeNotNull(toUInt64(_row_number)) AS ${rowColumn}`].join(", ")} FROM ${fileFunction(source)}`,
      `RENAME TABLE ${filling} TO ${table}`,
    ],
  };
}

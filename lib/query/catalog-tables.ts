import "server-only";
import { getEnv } from "@/lib/env";

// Tenant tables: the only source of table and column identifiers in compiled
// SQL and the allowlist the guard checks admin SQL against. Each declares its
// database and tenant column; registering another table here makes the
// compiler, the guard and the executor's row filter cover it.

export type ColumnKind = "string" | "number" | "datetime" | "map";

export type CatalogTable = {
  /** Name used in specs and admin SQL. */
  name: string;
  database: string;
  tenantColumn: string;
  timeColumn: string;
  columns: Record<string, { kind: ColumnKind; description: string }>;
  /**
   * A table whose rows are not events (a rollup): each dimension's column.
   * The row filter applies a locked filter there, and a dimension missing
   * here makes the table unreadable for the session (fail closed).
   */
  dimensionColumns?: Record<string, string>;
};

export type Catalog = { database: string; tables: CatalogTable[] };

/** The catalog over one database; the default is the configured one. */
export function getCatalog(database = getEnv().CLICKHOUSE_DATABASE): Catalog {
  return { database, tables: catalogTables(database) };
}

function catalogTables(database: string): CatalogTable[] {
  return [
    {
      name: "events",
      database,
      tenantColumn: "tenant_id",
      timeColumn: "ts",
      columns: {
        tenant_id: { kind: "string", description: "The tenant the event belongs to (never selectable)" },
        event_id: { kind: "string", description: "Unique id of the event" },
        ts: { kind: "datetime", description: "When the event happened (UTC)" },
        name: { kind: "string", description: "Event name, e.g. signup, page_view, order_completed" },
        user_id: { kind: "string", description: "The end user who caused the event, if known" },
        value: { kind: "number", description: "Numeric value, e.g. an order amount; NULL when absent" },
        properties: { kind: "map", description: "String properties such as country, plan, device, page" },
      },
    },
  ];
}

export function catalogTable(catalog: Catalog, name: string): CatalogTable {
  const table = catalog.tables.find((t) => t.name === name);
  if (!table) throw new Error(`unknown catalog table ${name}`);
  return table;
}


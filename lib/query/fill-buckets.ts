import type { Granularity } from "@/lib/query/catalog";
import { zonedMidnight, zonedParts } from "@/lib/query/time-range";

// A time series shows every bucket of its period. The engine returns only the
// buckets that hold rows the metrics count, so the missing ones are added
// here, with what each metric is over no rows (0 for counts, null
// otherwise). Bucket labels are made exactly as the compiled SQL makes them:
// toString(toStartOfHour|toStartOfDay(ts, tz)) and toString(toMonday|toStartOfMonth(ts, tz)).

export type BucketFill = {
  granularity: Granularity;
  timezone: string;
  /** The queried period, ISO instants, end exclusive. */
  from: string;
  to: string;
  /** Column → its value for a bucket without rows. */
  empty: Record<string, 0 | null>;
  /** Broken down: each dimension value gets every bucket. */
  byDimension: boolean;
};

/** More buckets than this are not filled (the query's own row limit is 10,000). */
const MAX_BUCKETS = 10_000;
const HOUR = 3_600_000;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function label(instant: number, tz: string, withTime: boolean): string {
  const p = zonedParts(instant, tz);
  const date = `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}`;
  return withTime ? `${date} ${pad(p.h)}:${pad(p.min)}:${pad(p.s)}` : date;
}

/** Labels of the buckets that overlap [from, to), in order; undefined when there are too many. */
export function bucketLabels(granularity: Granularity, tz: string, from: number, to: number): string[] | undefined {
  const labels: string[] = [];
  const push = (l: string) => {
    if (labels[labels.length - 1] !== l) labels.push(l);
    return labels.length <= MAX_BUCKETS;
  };
  if (from >= to) return labels;
  if (granularity === "hour") {
    const p = zonedParts(from, tz);
    // The local hour that holds `from` (zones with :30 and :45 offsets start hours off the UTC hour).
    for (let t = from - (p.min * 60 + p.s) * 1000 - (from % 1000); t < to; t += HOUR) if (!push(label(t, tz, true))) return undefined;
    return labels;
  }
  const first = zonedParts(from, tz);
  let [y, m, d] = [first.y, first.m, first.d];
  if (granularity === "week") d -= (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // back to Monday
  if (granularity === "month") d = 1;
  for (;;) {
    const start = zonedMidnight(y, m, d, tz);
    if (start >= to) return labels;
    if (!push(granularity === "day" ? label(start, tz, true) : new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10))) return undefined;
    if (granularity === "day") d += 1;
    else if (granularity === "week") d += 7;
    else m += 1;
    const next = new Date(Date.UTC(y, m - 1, d));
    [y, m, d] = [next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()];
  }
}

type Row = Record<string, unknown>;

/** Rows with every bucket present, ordered by bucket (then dimension), as the SQL orders them. */
export function fillBuckets(rows: Row[], fill: BucketFill): Row[] {
  // A period with no rows at all stays empty: the chart says "No data for this period." as every other kind does.
  if (rows.length === 0) return rows;
  const labels = bucketLabels(fill.granularity, fill.timezone, Date.parse(fill.from), Date.parse(fill.to));
  if (!labels) return rows;
  const key = (bucket: unknown, dimension?: unknown) => (fill.byDimension ? `${String(bucket)}\u0000${String(dimension)}` : String(bucket));
  const present = new Set(rows.map((r) => key(r.bucket, r.dimension)));
  const dimensions = fill.byDimension ? [...new Set(rows.map((r) => r.dimension))] : [undefined];
  const added: Row[] = [];
  for (const bucket of labels) {
    for (const dimension of dimensions) {
      if (present.has(key(bucket, dimension))) continue;
      added.push({ bucket, ...(fill.byDimension ? { dimension } : {}), ...fill.empty });
    }
  }
  if (added.length === 0) return rows;
  // The engine orders strings by their bytes: so does Buffer.compare (JS's < compares UTF-16 units).
  const bytes = (v: unknown) => Buffer.from(String(v), "utf8");
  const compare = (a: Row, b: Row) => {
    const byBucket = Buffer.compare(bytes(a.bucket), bytes(b.bucket));
    return byBucket !== 0 || !fill.byDimension ? byBucket : Buffer.compare(bytes(a.dimension), bytes(b.dimension));
  };
  return [...rows, ...added].sort(compare);
}

"use client";

import { Area, AreaChart, Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatTick, formatValue, type ValueFormat } from "@/components/dashboard/render/format";
import type { WidgetView } from "@/lib/dashboards/describe-widget";

// The admin console's client-side charts (designer, ask-as-tenant), with recharts. The embed and the
// preview draw on the server (components/dashboard/render) and send no chart library.
// Renders one widget's rows. Chart widgets use the compiler's column names
// (bucket, dimension, m0…); custom-SQL widgets use their first column as the
// label and the numeric columns as series. Values read as the embed writes
// them (components/dashboard/render/format.ts), in each metric's format.

type Row = Record<string, unknown>;
const PALETTE = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "var(--chart-4)", "var(--chart-5)", "var(--chart-6)"];

/** The format of a chart widget's metric column (m0, m1…); none for other columns and custom SQL. */
const formatOf = (widget: WidgetView, column: string): ValueFormat => widget.metricFormats?.[Number(/^m(\d+)$/.exec(column)?.[1])];
/** The one format a chart's axis can use: its series' own, when they share it. */
const axisFormat = (widget: WidgetView, broken: boolean, keys: string[]): ValueFormat => {
  const formats = broken ? [widget.metricFormats?.[0]] : keys.map((k) => formatOf(widget, k));
  return formats.every((f) => JSON.stringify(f ?? null) === JSON.stringify(formats[0] ?? null)) ? formats[0] : undefined;
};

function seriesKeys(rows: Row[], widget: WidgetView): { key: string; label: string }[] {
  if (widget.kind === "chart") return widget.metricLabels.map((label, i) => ({ key: `m${i}`, label }));
  const first = rows[0] ?? {};
  return Object.keys(first)
    .slice(1)
    .filter((k) => typeof first[k] === "number")
    .map((k) => ({ key: k, label: k }));
}

function labelKey(rows: Row[], widget: WidgetView): string {
  if (widget.kind === "sql") return Object.keys(rows[0] ?? {})[0] ?? "label";
  return "bucket" in (rows[0] ?? {}) ? "bucket" : "dimension";
}

/** Time series with a breakdown: one column per breakdown value. */
function pivot(rows: Row[]): { data: Row[]; keys: string[] } {
  const keys = [...new Set(rows.map((r) => String(r.dimension)))];
  const byBucket = new Map<string, Row>();
  for (const r of rows) {
    const b = String(r.bucket);
    const entry = byBucket.get(b) ?? { bucket: b };
    entry[String(r.dimension)] = r.m0;
    byBucket.set(b, entry);
  }
  return { data: [...byBucket.values()], keys };
}

export function Kpi({ rows, widget }: { rows: Row[]; widget: WidgetView }) {
  const current = rows[0]?.m0;
  const previous = rows[0]?.m0_previous;
  const delta = typeof current === "number" && typeof previous === "number" && previous !== 0 ? ((current - previous) / previous) * 100 : undefined;
  return (
    <div className="kpi">
      <div className="kpi-value" data-testid={`kpi-${widget.id}`}>{formatValue(current, { format: widget.metricFormats?.[0] })}</div>
      {delta !== undefined && (
        <div className={`kpi-delta ${delta >= 0 ? "up" : "down"}`}>
          {delta >= 0 ? "▲" : "▼"} {Math.abs(delta).toFixed(1)}% <span className="muted">vs previous period</span>
        </div>
      )}
    </div>
  );
}

export function DataTable({ rows, widget }: { rows: Row[]; widget: WidgetView }) {
  const columns = Object.keys(rows[0] ?? {});
  const header = (c: string) => (c === "dimension" ? widget.breakdown?.label ?? "Value" : c === "bucket" ? "Period" : /^m\d+$/.test(c) ? widget.metricLabels[Number(c.slice(1))] ?? c : c);
  return (
    <div className="table-wrap widget-table">
      <table className="table" data-testid={`table-${widget.id}`}>
        <thead>
          <tr>{columns.map((c) => <th key={c} className={typeof rows[0]?.[c] === "number" ? "num" : undefined}>{header(c)}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>{columns.map((c) => <td key={c} className={typeof r[c] === "number" ? "num" : undefined}>{formatValue(r[c], { format: formatOf(widget, c) })}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function WidgetBody({ widget, rows, height }: { widget: WidgetView; rows: Row[]; height: number }) {
  if (rows.length === 0) return <div className="empty">No data for this period.</div>;
  if (widget.chart === "kpi") return <Kpi rows={rows} widget={widget} />;
  if (widget.chart === "table") return <DataTable rows={rows} widget={widget} />;
  const series = seriesKeys(rows, widget);
  const x = labelKey(rows, widget);
  const common = { isAnimationActive: false };
  const axes = (format: ValueFormat) => (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
      <XAxis dataKey={x} tick={{ fill: "var(--text-muted)", fontSize: 11 }} stroke="var(--border)" tickFormatter={(v) => String(v).replace(/ 00:00:00$/, "")} />
      <YAxis tick={{ fill: "var(--text-muted)", fontSize: 11 }} stroke="var(--border)" width={48} tickFormatter={(v: number) => formatTick(v, { format })} />
      <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }} formatter={(v) => formatValue(v, { format })} />
    </>
  );
  if (widget.chart === "pie" || widget.chart === "donut") {
    const key = series[0]?.key ?? "m0";
    return (
      <ResponsiveContainer width="100%" height={height}>
        <PieChart>
          <Pie data={rows} dataKey={key} nameKey={x} innerRadius={widget.chart === "donut" ? "55%" : 0} outerRadius="80%" {...common}>
            {rows.map((_, i) => <Cell key={i} fill={PALETTE[i % PALETTE.length]} />)}
          </Pie>
          <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }} formatter={(v) => formatValue(v, { format: formatOf(widget, key) })} />
          <Legend />
        </PieChart>
      </ResponsiveContainer>
    );
  }
  const broken = widget.kind === "chart" && "bucket" in rows[0] && "dimension" in rows[0];
  const { data, keys } = broken ? pivot(rows) : { data: rows, keys: series.map((s) => s.key) };
  const name = (k: string) => (broken ? k : series.find((s) => s.key === k)?.label ?? k);
  const format = axisFormat(widget, broken, keys);
  if (widget.chart === "line") {
    return (
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={data}>
          {axes(format)}
          {keys.map((k, i) => <Line key={k} dataKey={k} name={name(k)} stroke={PALETTE[i % PALETTE.length]} dot={false} strokeWidth={2} {...common} />)}
          {keys.length > 1 && <Legend />}
        </LineChart>
      </ResponsiveContainer>
    );
  }
  if (widget.chart === "area") {
    return (
      <ResponsiveContainer width="100%" height={height}>
        <AreaChart data={data}>
          {axes(format)}
          {keys.map((k, i) => <Area key={k} dataKey={k} name={name(k)} stroke={PALETTE[i % PALETTE.length]} fill={PALETTE[i % PALETTE.length]} fillOpacity={0.25} stackId="a" {...common} />)}
          {keys.length > 1 && <Legend />}
        </AreaChart>
      </ResponsiveContainer>
    );
  }
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={data}>
        {axes(format)}
        {keys.map((k, i) => <Bar key={k} dataKey={k} name={name(k)} fill={PALETTE[i % PALETTE.length]} stackId={widget.chart === "stacked_bar" ? "a" : undefined} {...common} />)}
        {keys.length > 1 && <Legend />}
      </BarChart>
    </ResponsiveContainer>
  );
}

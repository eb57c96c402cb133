"use client";

import { useState } from "react";
import { DIMENSIONS, GRANULARITIES, METRICS } from "@/lib/query/catalog";
import { CHART_TYPES, ChartWidget, Widget, type WidgetInput } from "@/lib/query/widget-spec";
import type { GuardVerdict } from "@/lib/query/guard";
import { MetricFormatPicker, withFormat } from "./metric-format-picker";
import { SqlEditor, type SqlCatalog } from "./sql-editor";

// A form over the widget spec with inline validation. Pickers come from the
// catalog and the property keys seen in the data; the tenant column is never
// offered, and typing it anyway gets the spec's own refusal message.

type Props = {
  widget: WidgetInput;
  propertyKeys: { key: string; top_values: string[] }[];
  onChange: (widget: WidgetInput) => void;
  validateSql: (sql: string) => Promise<GuardVerdict>;
  /** Tables, columns and property keys the SQL editor completes. */
  sqlCatalog: SqlCatalog;
  /** Runs the widget's preview now (Cmd/Ctrl+Enter in the SQL editor). */
  onRun: () => void;
};

const CHART_LABELS: Record<string, string> = { kpi: "KPI", line: "Line", area: "Area", bar: "Bar", stacked_bar: "Stacked bar", pie: "Pie", donut: "Donut", table: "Table" };
const RANGES = [["last_7_days", "Last 7 days"], ["last_30_days", "Last 30 days"], ["last_90_days", "Last 90 days"], ["this_month", "This month"]] as const;
const EVENTS = ["", "signup", "page_view", "order_completed"];

export function issuesByPath(widget: WidgetInput): Record<string, string> {
  const parsed = Widget.safeParse(widget);
  if (parsed.success) return {};
  // The first message per field: it is the most specific (e.g. the tenant-column refusal).
  const out: Record<string, string> = {};
  for (const i of parsed.error.issues) out[i.path.join(".") || "widget"] ??= i.message;
  return out;
}

function FieldError({ errors, path }: { errors: Record<string, string>; path: string }) {
  const message = Object.entries(errors).find(([p]) => p === path || p.startsWith(`${path}.`))?.[1];
  return message ? <span className="field-error" role="alert">{message}</span> : null;
}

export function WidgetEditor({ widget, propertyKeys, onChange, validateSql, sqlCatalog, onRun }: Props) {
  const errors = issuesByPath(widget);
  const dims = [...DIMENSIONS.map((d) => ({ id: d.id, label: d.label })), ...propertyKeys.filter((p) => !DIMENSIONS.some((d) => d.propertyKey === p.key)).map((p) => ({ id: `property:${p.key}`, label: `property: ${p.key}` }))];
  const set = (patch: Partial<WidgetInput>) => onChange({ ...widget, ...patch } as WidgetInput);

  if (widget.kind === "sql") return <SqlWidgetForm key={widget.id} widget={widget} onChange={onChange} validateSql={validateSql} errors={errors} catalog={sqlCatalog} onRun={onRun} />;
  const chart = widget as Extract<WidgetInput, { kind: "chart" }>;
  const metrics = chart.metrics ?? [];
  const filters = chart.filters ?? [];
  const timeRange = chart.time_range ?? { kind: "last_30_days" };

  return (
    <div className="editor" data-testid="widget-editor">
      <div className="field">
        <label htmlFor="w-title">Title</label>
        <input id="w-title" type="text" value={chart.title} onChange={(e) => set({ title: e.target.value })} />
        <FieldError errors={errors} path="title" />
      </div>
      <div className="field">
        <label htmlFor="w-desc">Description</label>
        <input id="w-desc" type="text" value={chart.description ?? ""} onChange={(e) => set({ description: e.target.value || undefined })} />
      </div>
      <div className="field">
        <label htmlFor="w-chart">Chart type</label>
        <select id="w-chart" value={chart.chart} onChange={(e) => set({ chart: e.target.value as never, ...(e.target.value === "kpi" ? { breakdown: undefined, granularity: undefined, metrics: metrics.slice(0, 1) } : {}) })}>
          {CHART_TYPES.map((c) => <option key={c} value={c}>{CHART_LABELS[c]}</option>)}
        </select>
        <FieldError errors={errors} path="chart" />
      </div>
      <fieldset className="field">
        <legend>Metrics</legend>
        {metrics.map((m, i) => (
          <div key={i} className="row">
            <select aria-label={`Metric ${i + 1}`} value={m.id} onChange={(e) => set({ metrics: metrics.map((x, j) => (j === i ? { id: e.target.value, ...(e.target.value === "conversion_rate" ? { from_event: "signup", to_event: "order_completed" } : x.event ? { event: x.event } : {}), ...(x.format ? { format: x.format } : {}) } : x)) })}>
              {METRICS.map((d) => <option key={d.id} value={d.id}>{d.label}</option>)}
            </select>
            {m.id === "conversion_rate" ? (
              <>
                <select aria-label="From event" value={m.from_event ?? ""} onChange={(e) => set({ metrics: metrics.map((x, j) => (j === i ? { ...x, from_event: e.target.value } : x)) })}>
                  {EVENTS.slice(1).map((ev) => <option key={ev} value={ev}>{ev}</option>)}
                </select>
                <select aria-label="To event" value={m.to_event ?? ""} onChange={(e) => set({ metrics: metrics.map((x, j) => (j === i ? { ...x, to_event: e.target.value } : x)) })}>
                  {EVENTS.slice(1).map((ev) => <option key={ev} value={ev}>{ev}</option>)}
                </select>
              </>
            ) : (
              <select aria-label={`Event for metric ${i + 1}`} value={m.event ?? ""} onChange={(e) => set({ metrics: metrics.map((x, j) => (j === i ? { id: x.id, ...(e.target.value ? { event: e.target.value } : {}), ...(x.format ? { format: x.format } : {}) } : x)) })}>
                {EVENTS.map((ev) => <option key={ev} value={ev}>{ev ? `only ${ev}` : "all events"}</option>)}
              </select>
            )}
            <MetricFormatPicker index={i} format={m.format} onChange={(format) => set({ metrics: metrics.map((x, j) => (j === i ? withFormat(x, format) : x)) })} />
            {metrics.length > 1 && <button type="button" className="btn btn-sm btn-ghost" aria-label={`Remove metric ${i + 1}`} onClick={() => set({ metrics: metrics.filter((_, j) => j !== i) })}>×</button>}
          </div>
        ))}
        {chart.chart !== "kpi" && metrics.length < 5 && <button type="button" className="btn btn-sm" onClick={() => set({ metrics: [...metrics, { id: "event_count" }] })}>Add metric</button>}
        <FieldError errors={errors} path="metrics" />
      </fieldset>
      {chart.chart !== "kpi" && (
        <div className="field">
          <label htmlFor="w-breakdown">Breakdown</label>
          <input id="w-breakdown" list="dimension-options" value={chart.breakdown ?? ""} placeholder="none" onChange={(e) => set({ breakdown: e.target.value || undefined })} />
          <span className="hint">A catalog dimension or property:&lt;key&gt;. Every query is already scoped to one tenant, so the tenant column is not a dimension.</span>
          <FieldError errors={errors} path="breakdown" />
        </div>
      )}
      <datalist id="dimension-options">{dims.map((d) => <option key={d.id} value={d.id}>{d.label}</option>)}</datalist>
      <fieldset className="field">
        <legend>Filters</legend>
        {filters.map((f, i) => {
          const values = propertyKeys.find((p) => `property:${p.key}` === f.field || DIMENSIONS.some((d) => d.id === f.field && d.propertyKey === p.key))?.top_values ?? (f.field === "event" ? EVENTS.slice(1) : []);
          const update = (patch: object) => set({ filters: filters.map((x, j) => (j === i ? ({ ...x, ...patch } as never) : x)) });
          return (
            <div key={i} className="row">
              <input aria-label={`Filter ${i + 1} field`} list="dimension-options" value={f.field} onChange={(e) => update({ field: e.target.value })} />
              <select aria-label={`Filter ${i + 1} operator`} value={f.op} onChange={(e) => {
                const op = e.target.value;
                const base = { field: f.field, op };
                update(op === "in" || op === "not_in" ? { ...base, values: [] } : op === "between" ? { field: "value", op, min: 0, max: 100 } : { ...base, value: "" });
                set({ filters: filters.map((x, j) => (j === i ? ((op === "in" || op === "not_in" ? { ...base, values: [values[0] ?? ""] } : op === "between" ? { field: "value", op, min: 0, max: 100 } : { ...base, value: "" }) as never) : x)) });
              }}>
                {["equals", "in", "not_in", "contains", "between"].map((op) => <option key={op} value={op}>{op.replace("_", " ")}</option>)}
              </select>
              {f.op === "between" ? (
                <>
                  <input aria-label="Minimum" type="number" value={f.min} onChange={(e) => update({ min: Number(e.target.value) })} />
                  <input aria-label="Maximum" type="number" value={f.max} onChange={(e) => update({ max: Number(e.target.value) })} />
                </>
              ) : f.op === "in" || f.op === "not_in" ? (
                <input aria-label={`Filter ${i + 1} values`} list={`values-${i}`} value={f.values.join(", ")} onChange={(e) => update({ values: e.target.value.split(",").map((v) => v.trim()).filter(Boolean) })} placeholder="comma-separated" />
              ) : (
                <input aria-label={`Filter ${i + 1} value`} list={`values-${i}`} value={f.value} onChange={(e) => update({ value: e.target.value })} />
              )}
              <datalist id={`values-${i}`}>{values.map((v) => <option key={v} value={v} />)}</datalist>
              <button type="button" className="btn btn-sm btn-ghost" aria-label={`Remove filter ${i + 1}`} onClick={() => set({ filters: filters.filter((_, j) => j !== i) })}>×</button>
            </div>
          );
        })}
        <button type="button" className="btn btn-sm" onClick={() => set({ filters: [...filters, { field: "country", op: "equals", value: "" }] })}>Add filter</button>
        <FieldError errors={errors} path="filters" />
      </fieldset>
      <div className="field">
        <label htmlFor="w-range">Time range</label>
        <select id="w-range" value={timeRange.kind} onChange={(e) => set({ time_range: e.target.value === "absolute" ? { kind: "absolute", from: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10), to: new Date().toISOString().slice(0, 10) } : ({ kind: e.target.value } as never) })}>
          {RANGES.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          <option value="absolute">Between dates</option>
        </select>
        {timeRange.kind === "absolute" && (
          <div className="row">
            <input aria-label="From date" type="date" value={timeRange.from} onChange={(e) => set({ time_range: { ...timeRange, from: e.target.value } })} />
            <input aria-label="To date" type="date" value={timeRange.to} onChange={(e) => set({ time_range: { ...timeRange, to: e.target.value } })} />
          </div>
        )}
        <FieldError errors={errors} path="time_range" />
      </div>
      {chart.chart !== "kpi" && (
        <div className="row">
          <div className="field">
            <label htmlFor="w-gran">Granularity</label>
            <select id="w-gran" value={chart.granularity ?? ""} onChange={(e) => set({ granularity: (e.target.value || undefined) as never })}>
              <option value="">default (day)</option>
              {GRANULARITIES.map((g) => <option key={g} value={g}>{g}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="w-limit">Top N</label>
            <input id="w-limit" type="number" min={1} max={1000} value={chart.limit ?? ""} placeholder="10" onChange={(e) => set({ limit: e.target.value ? Number(e.target.value) : undefined })} />
            <FieldError errors={errors} path="limit" />
          </div>
        </div>
      )}
      <FieldError errors={errors} path="widget" />
    </div>
  );
}

type SqlFormProps = { widget: Extract<WidgetInput, { kind: "sql" }>; onChange: (w: WidgetInput) => void; validateSql: (sql: string) => Promise<GuardVerdict>; errors: Record<string, string>; catalog: SqlCatalog; onRun: () => void };

function SqlWidgetForm({ widget, onChange, validateSql, errors, catalog, onRun }: SqlFormProps) {
  const [verdict, setVerdict] = useState<GuardVerdict | "checking">("checking");
  return (
    <div className="editor" data-testid="widget-editor">
      <div className="field">
        <label htmlFor="w-title">Title</label>
        <input id="w-title" type="text" value={widget.title} onChange={(e) => onChange({ ...widget, title: e.target.value })} />
        <FieldError errors={errors} path="title" />
      </div>
      <div className="field">
        <label htmlFor="w-chart">Chart type</label>
        <select id="w-chart" value={widget.chart} onChange={(e) => onChange({ ...widget, chart: e.target.value as never })}>
          {CHART_TYPES.map((c) => <option key={c} value={c}>{CHART_LABELS[c]}</option>)}
        </select>
      </div>
      <div className="field">
        <label id="w-sql-label">SQL (admins only; checked by the guard as you type and again at publish)</label>
        <SqlEditor
          labelledBy="w-sql-label"
          value={widget.sql}
          onChange={(sql) => {
            setVerdict("checking");
            onChange({ ...widget, sql });
          }}
          validate={validateSql}
          onVerdict={setVerdict}
          onRun={onRun}
          catalog={catalog}
        />
        <span className="hint">Read the <code>events</code> table (event_id, ts, name, user_id, value, properties). The tenant filter, the end user&apos;s period and filters, and the session&apos;s locks are applied for you. Ctrl+Space completes tables, columns and property keys (after <code>properties[&apos;</code>); Ctrl+Enter (⌘+Enter on a Mac) runs the preview now.</span>
        <div className="guard-verdict" data-testid="guard-verdict" role="status">
          {verdict === "checking" ? <span className="muted">Checking…</span> : verdict.ok ? <span className="ok">✓ Allowed</span> : <span className="bad">✗ {verdict.reason}</span>}
        </div>
      </div>
      <div className="field">
        <label htmlFor="w-all-time">
          <input id="w-all-time" type="checkbox" checked={widget.all_time ?? false} onChange={(e) => onChange({ ...widget, all_time: e.target.checked || undefined })} /> Covers all time
        </label>
        <span className="hint">The dashboard&apos;s period does not apply to this chart; sessions with a date limit refuse it. Leave unchecked to read only the period the end user picks.</span>
      </div>
    </div>
  );
}

export { ChartWidget };

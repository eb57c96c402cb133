"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import ReactGridLayout, { useContainerWidth, verticalCompactor, type Layout } from "react-grid-layout";
import "react-grid-layout/css/styles.css";
import { previewWidgetAction, validateSqlAction, type PreviewResult } from "@/app/admin/dashboards/[id]/actions";
import { describeWidget } from "@/lib/dashboards/describe-widget";
import type { DashboardDefinition } from "@/lib/dashboards/definition";
import { DIMENSIONS, METRICS } from "@/lib/query/catalog";
import { Widget, type WidgetInput } from "@/lib/query/widget-spec";
import { WidgetBody } from "@/components/admin/recharts-widget";
import { SaveStatus } from "./save-status";
import { useDraft } from "./use-draft";
import { issuesByPath, WidgetEditor } from "./widget-editor";

// The designer: a draft's widgets on a drag-and-resize grid with live
// previews as one tenant, a form per widget, dashboard settings, autosave with
// a revision check, and undo.

type Props = {
  id: string;
  initialName: string;
  initialRevision: number;
  initialDefinition: DashboardDefinition;
  liveVersion: number | null;
  propertyKeys: { key: string; top_values: string[] }[];
  /** The catalog's tables and their columns (tenant column left out), for the SQL editor's completion. */
  catalogTables: { name: string; columns: string[] }[];
  tenants: string[];
  timezones: string[];
};

const ROW_HEIGHT = 72;
/** The card's tools row (globals.css: .designer-widget .widget-tools), kept clear of the chart. */
const TOOLS_ROW = 32;
const NEW_WIDGET = { w: 6, h: 4 };

/** A new widget's title from its spec: what it counts, and by what. */
export function titleFromSpec(widget: WidgetInput): string {
  if (widget.kind === "sql") return "Events by name";
  const metrics = (widget.metrics ?? []).map((m) => METRICS.find((d) => d.id === m.id)?.label ?? m.id);
  const by = widget.breakdown ? ` by ${(DIMENSIONS.find((d) => d.id === widget.breakdown)?.label ?? widget.breakdown.replace(/^property:/, "")).toLowerCase()}` : "";
  return `${metrics.join(" and ") || "Chart"}${by}`;
}

/** The first place, top to bottom and left to right, where a w×h card fits without covering another. */
export function firstFreeSpot(layout: readonly { x: number; y: number; w: number; h: number }[], w: number, h: number): { x: number; y: number } {
  const overlaps = (x: number, y: number) => layout.some((l) => x < l.x + l.w && l.x < x + w && y < l.y + l.h && l.y < y + h);
  const bottom = layout.reduce((m, l) => Math.max(m, l.y + l.h), 0);
  for (let y = 0; y <= bottom; y++) for (let x = 0; x + w <= 12; x++) if (!overlaps(x, y)) return { x, y };
  return { x: 0, y: bottom };
}

function nextId(widgets: WidgetInput[]): string {
  for (let n = widgets.length + 1; ; n++) if (!widgets.some((w) => w.id === `w${n}`)) return `w${n}`;
}

export function Designer(props: Props) {
  const { doc, history, status, update, undo, keepMine } = useDraft({ id: props.id, name: props.initialName, revision: props.initialRevision, definition: props.initialDefinition });
  const [selected, setSelected] = useState<string | undefined>(props.initialDefinition.widgets[0]?.id);
  const [tenant, setTenant] = useState(props.tenants[0] ?? "");
  const [previews, setPreviews] = useState<Record<string, PreviewResult | undefined>>({});
  /** A widget just added, to scroll to once the grid has drawn it. */
  const scrollTo = useRef<string | undefined>(undefined);
  const { width, containerRef, mounted } = useContainerWidth();

  const widgets = useMemo(() => (doc.definition.widgets ?? []) as WidgetInput[], [doc.definition.widgets]);
  const layout = useMemo(() => doc.definition.layout ?? [], [doc.definition.layout]);
  const timezone = doc.definition.timezone ?? "UTC";

  // Live previews: every valid widget, as the chosen tenant, debounced per change.
  const widgetsKey = JSON.stringify(widgets);
  const preview = (w: WidgetInput) => {
    if (!tenant || !Widget.safeParse(w).success) return;
    void previewWidgetAction({ widget: w, tenantId: tenant, timezone }).then((p) => setPreviews((all) => ({ ...all, [w.id]: p })));
  };
  useEffect(() => {
    if (!tenant) return;
    const timer = setTimeout(() => widgets.forEach(preview), 400);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [widgetsKey, tenant, timezone]);

  // A widget just added is scrolled into view once the grid has drawn it.
  useEffect(() => {
    if (!scrollTo.current) return;
    const card = document.querySelector(`[data-testid="designer-widget-${CSS.escape(scrollTo.current)}"]`);
    if (!card) return;
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    scrollTo.current = undefined;
  }, [widgets]);

  const gridLayout: Layout = useMemo(
    () => widgets.map((w, i) => {
      const l = layout.find((x) => x.widget_id === w.id) ?? { x: (i % 2) * 6, y: 100, w: 6, h: 4 };
      return { i: w.id, x: l.x, y: l.y, w: l.w, h: l.h, minW: 2, minH: 2, maxW: 12, maxH: 12 };
    }),
    [widgets, layout],
  );

  const setLayout = (next: Layout) => {
    const mapped = next.map((l) => ({ widget_id: l.i, x: l.x, y: l.y, w: l.w, h: l.h }));
    const same = mapped.length === layout.length && mapped.every((m) => layout.some((l) => l.widget_id === m.widget_id && l.x === m.x && l.y === m.y && l.w === m.w && l.h === m.h));
    if (!same) update((d) => ({ ...d, definition: { ...d.definition, layout: mapped } }));
  };

  /** Keyboard alternative to drag and resize. */
  const nudge = (id: string, dx: number, dy: number, dw: number, dh: number) => {
    const current = gridLayout.find((l) => l.i === id)!;
    const w = Math.min(12, Math.max(2, current.w + dw));
    const next = { ...current, w, h: Math.min(12, Math.max(2, current.h + dh)), x: Math.min(12 - w, Math.max(0, current.x + dx)), y: Math.max(0, current.y + dy) };
    setLayout(gridLayout.map((l) => (l.i === id ? next : l)));
  };

  const addWidget = (kind: "chart" | "sql") => {
    const id = nextId(widgets);
    const spec: WidgetInput =
      kind === "chart"
        ? { kind: "chart", id, title: "", chart: "kpi", metrics: [{ id: "event_count" }], time_range: { kind: "last_30_days" } }
        : { kind: "sql", id, title: "", chart: "table", sql: "SELECT name, count() AS total\nFROM events\nGROUP BY name\nORDER BY total DESC" };
    const widget = { ...spec, title: titleFromSpec(spec) } as WidgetInput;
    // In the first free spot (often in view, near the top), then scrolled to once it is drawn.
    const spot = firstFreeSpot(gridLayout, NEW_WIDGET.w, NEW_WIDGET.h);
    update((d) => ({ ...d, definition: { ...d.definition, widgets: [...widgets, widget], layout: [...layout, { widget_id: id, ...spot, ...NEW_WIDGET }] } }));
    setSelected(id);
    scrollTo.current = id;
  };

  // A title that still reads as its spec follows the spec (a new KPI of events becomes "Unique users by country"
  // when its metric and breakdown change); one the admin wrote stays.
  const changeWidget = (next: WidgetInput) => {
    const old = widgets.find((w) => w.id === next.id);
    const followsSpec = old && old.kind === "chart" && next.kind === "chart" && old.title === titleFromSpec(old) && next.title === old.title;
    const widget = followsSpec ? ({ ...next, title: titleFromSpec(next) } as WidgetInput) : next;
    update((d) => ({ ...d, definition: { ...d.definition, widgets: widgets.map((w) => (w.id === widget.id ? widget : w)) } }));
  };

  const removeWidget = (id: string) => {
    update((d) => ({ ...d, definition: { ...d.definition, widgets: widgets.filter((w) => w.id !== id), layout: layout.filter((l) => l.widget_id !== id) } }));
    setSelected(undefined);
  };

  const selectedWidget = widgets.find((w) => w.id === selected);
  const sqlCatalog = useMemo(() => ({ tables: props.catalogTables, propertyKeys: props.propertyKeys.map((p) => p.key) }), [props.catalogTables, props.propertyKeys]);
  const invalid = widgets.filter((w) => Object.keys(issuesByPath(w)).length > 0);
  const filters = doc.definition.filters ?? [];
  const dateFilter = filters.find((f) => f.kind === "date_range");

  return (
    <div className="designer">
      <div className="page-head designer-head">
        <div style={{ flex: 1 }}>
          <label className="visually-hidden" htmlFor="d-name">Dashboard name</label>
          <input id="d-name" className="title-input" value={doc.name} onChange={(e) => { const name = e.target.value; update((d) => ({ ...d, name })); }} />
          <div className="muted">
            <code>{props.id}</code> · {props.liveVersion ? `live: v${props.liveVersion}` : "not published yet"} · {widgets.length} widgets
          </div>
        </div>
        <SaveStatus status={status} invalid={invalid.length} onReloadTheirs={() => window.location.reload()} onKeepMine={keepMine} />
        <button type="button" className="btn" onClick={undo} disabled={history.length === 0} title="Undo (Ctrl+Z)">Undo</button>

      </div>

      <div className="designer-toolbar card">
        <button type="button" className="btn btn-primary" onClick={() => addWidget("chart")}>Add chart</button>
        <button type="button" className="btn" onClick={() => addWidget("sql")}>Add custom SQL</button>
        <label className="filter">
          <span>Preview as tenant</span>
          <select value={tenant} onChange={(e) => setTenant(e.target.value)} data-testid="preview-tenant">
            {props.tenants.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label className="filter">
          <span>Time zone</span>
          <select value={timezone} onChange={(e) => { const tz = e.target.value; update((d) => ({ ...d, definition: { ...d.definition, timezone: tz } })); }} data-testid="timezone">
            {props.timezones.map((tz) => <option key={tz} value={tz}>{tz}</option>)}
          </select>
        </label>
        <fieldset className="toolbar-checks">
          <legend>End users may change</legend>
          <label className="check">
            <input type="checkbox" checked={Boolean(dateFilter)} onChange={(e) => { const on = e.target.checked; update((d) => ({ ...d, definition: { ...d.definition, filters: on ? [{ kind: "date_range", default: { kind: "last_30_days" } }, ...filters] : filters.filter((f) => f.kind !== "date_range") } })); }} /> period
          </label>
          {DIMENSIONS.map((dim) => (
            <label key={dim.id} className="check">
              <input
                type="checkbox"
                checked={filters.some((f) => f.kind === "dimension" && f.dimension === dim.id)}
                onChange={(e) => { const on = e.target.checked; update((d) => ({ ...d, definition: { ...d.definition, filters: on ? [...filters, { kind: "dimension", dimension: dim.id }] : filters.filter((f) => !(f.kind === "dimension" && f.dimension === dim.id)) } })); }}
              /> {dim.label.toLowerCase()}
            </label>
          ))}
        </fieldset>
      </div>

      <div className="designer-body">
        <div ref={containerRef as React.RefObject<HTMLDivElement>} className="designer-canvas" data-testid="designer-canvas">
          {widgets.length === 0 && <div className="empty card">No widgets yet. Add a chart or a custom-SQL widget above.</div>}
          {mounted && widgets.length > 0 && (
            <ReactGridLayout width={width} layout={gridLayout} gridConfig={{ cols: 12, rowHeight: ROW_HEIGHT, margin: [14, 14] }} dragConfig={{ enabled: true, handle: ".drag-handle" }} resizeConfig={{ enabled: true }} compactor={verticalCompactor} onLayoutChange={setLayout}>
              {widgets.map((w) => {
                const preview = previews[w.id];
                const errs = issuesByPath(w);
                const view = Widget.safeParse(w).success ? describeWidget(Widget.parse(w)) : undefined;
                const l = gridLayout.find((x) => x.i === w.id)!;
                return (
                  <div key={w.id} className={`card widget designer-widget${selected === w.id ? " selected" : ""}`} data-testid={`designer-widget-${w.id}`} data-layout={`${l.x},${l.y},${l.w},${l.h}`} onClick={() => setSelected(w.id)}>
                    <div className="widget-head">
                      <h2 className="drag-handle" title="Drag to move">⋮⋮ {w.title || "(untitled)"}</h2>
                      <div className="widget-tools" onClick={(e) => e.stopPropagation()}>
                        <button type="button" className="btn btn-sm btn-ghost" aria-label={`Move ${w.title} left`} onClick={() => nudge(w.id, -1, 0, 0, 0)}>←</button>
                        <button type="button" className="btn btn-sm btn-ghost" aria-label={`Move ${w.title} right`} onClick={() => nudge(w.id, 1, 0, 0, 0)}>→</button>
                        <button type="button" className="btn btn-sm btn-ghost" aria-label={`Move ${w.title} up`} onClick={() => nudge(w.id, 0, -1, 0, 0)}>↑</button>
                        <button type="button" className="btn btn-sm btn-ghost" aria-label={`Make ${w.title} wider`} onClick={() => nudge(w.id, 0, 0, 1, 0)}>⇔+</button>
                        <button type="button" className="btn btn-sm btn-ghost" aria-label={`Make ${w.title} narrower`} onClick={() => nudge(w.id, 0, 0, -1, 0)}>⇔−</button>
                        <button type="button" className="btn btn-sm btn-ghost" aria-label={`Make ${w.title} taller`} onClick={() => nudge(w.id, 0, 0, 0, 1)}>⇕+</button>
                        <button type="button" className="btn btn-sm btn-ghost" aria-label={`Remove ${w.title}`} onClick={() => removeWidget(w.id)}>✕</button>
                      </div>
                    </div>
                    <div className="widget-body">
                      {Object.keys(errs).length > 0 ? (
                        <div className="alert alert-warning">Fix this widget: {Object.values(errs)[0]}</div>
                      ) : !preview ? (
                        <div className="empty">Loading preview…</div>
                      ) : !preview.ok ? (
                        <div className="alert alert-error" data-testid={`preview-error-${w.id}`}>{preview.error}</div>
                      ) : view ? (
                        <WidgetBody widget={view} rows={preview.rows} height={l.h * ROW_HEIGHT - 80 - TOOLS_ROW} />
                      ) : null}
                    </div>
                  </div>
                );
              })}
            </ReactGridLayout>
          )}
        </div>
        <aside className="designer-side card" aria-label="Widget settings">
          {selectedWidget ? (
            <>
              <h2 data-testid="selected-widget-title">{selectedWidget.title || "(untitled)"} <code className="muted">{selectedWidget.id}</code></h2>
              <WidgetEditor
                widget={selectedWidget}
                propertyKeys={props.propertyKeys}
                validateSql={validateSqlAction}
                sqlCatalog={sqlCatalog}
                onRun={() => preview(selectedWidget)}
                onChange={changeWidget}
              />
              {previews[selectedWidget.id]?.ok && (
                <details className="effective-sql">
                  <summary>Effective SQL for {tenant}</summary>
                  <pre className="mono">{(previews[selectedWidget.id] as Extract<PreviewResult, { ok: true }>).sql}</pre>
                </details>
              )}
            </>
          ) : (
            <div className="empty">Select a widget to edit it.</div>
          )}
        </aside>
      </div>
    </div>
  );
}

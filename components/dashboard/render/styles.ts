import { X_TIERS } from "./axes";

// The CSS the rendered widget bodies need, inlined in the embed page's
// <style>. Colours are only the theme's variables (app/globals.css sets them
// for light and for :root[data-theme="dark"]). Tables and empty states are
// styled by dashboard.css, which every page with widgets loads.

const thinning = X_TIERS.map((w) => `@container chart (max-width: ${w - 0.02}px) { .chart .x${w} { display: none; } }`).join("\n");

export const WIDGET_BODY_CSS = `
.kpi-value { font-size: 32px; font-weight: 650; letter-spacing: -0.02em; }
.kpi-delta { font-size: 13px; margin-top: 2px; }
.kpi-delta.up { color: var(--success); }
.kpi-delta.down { color: var(--danger); }
.kpi .muted { color: var(--text-muted); }

.chart { container: chart / inline-size; position: relative; display: flex; flex-direction: column; overflow: hidden; font-size: 11px; line-height: 1.2; color: var(--text-muted); }
.chart-plot { position: relative; flex: 1 1 auto; min-height: 40px; margin: 8px 12px 22px 48px; }
.chart-pie-plot { position: relative; flex: 1 1 auto; min-height: 60px; }
.chart-svg { position: absolute; inset: 0; width: 100%; height: 100%; display: block; overflow: visible; }
.chart-grid { fill: none; stroke: var(--border); stroke-width: 1; stroke-dasharray: 3 3; }
.chart-axis { fill: none; stroke: var(--border); stroke-width: 1; }
.chart-y, .chart-x { position: absolute; pointer-events: none; }
.chart-y { top: 0; bottom: 0; right: 100%; width: 48px; }
.chart-y span { position: absolute; right: 6px; transform: translateY(-50%); white-space: nowrap; }
.chart-x { left: 0; right: 0; top: 100%; height: 22px; }
.chart-x > span { position: absolute; top: 6px; transform: translateX(-50%); white-space: nowrap; max-width: var(--xw, 80px); overflow: hidden; text-overflow: ellipsis; }
/* The last label: centred, but when it overflows, "safe" aligns it to the start, which rtl makes the right edge. */
.chart-x > .fit { display: flex; direction: rtl; justify-content: safe center; transform: none; max-width: none; overflow: visible; }
.chart-x > .fit > span { flex: none; direction: ltr; unicode-bidi: isolate; max-width: var(--xw, 80px); overflow: hidden; text-overflow: ellipsis; }
${thinning}

.chart .s1 { --c: var(--chart-1); }
.chart .s2 { --c: var(--chart-2); }
.chart .s3 { --c: var(--chart-3); }
.chart .s4 { --c: var(--chart-4); }
.chart .s5 { --c: var(--chart-5); }
.chart .s6 { --c: var(--chart-6); }
.chart .other { --c: color-mix(in srgb, var(--text-muted) 45%, transparent); }
.chart .line { fill: none; stroke: var(--c); stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; pointer-events: none; }
.chart .line.previous { stroke-width: 1.5; stroke-dasharray: 5 4; stroke-opacity: 0.7; }
.chart .area-fill { fill: var(--c); fill-opacity: 0.25; pointer-events: none; }
.chart .area-line { fill: none; stroke: var(--c); stroke-width: 1.5; stroke-linejoin: round; stroke-linecap: round; pointer-events: none; }
.chart .bar, .chart .slice { fill: var(--c); }
.chart .slice { stroke: var(--surface); stroke-width: 1; }
.chart .hit { fill: transparent; }
.chart .mark { outline: none; }
.chart .hit:hover, .chart .hit:focus-visible { fill: var(--text); fill-opacity: 0.06; }
.chart .bar:hover, .chart .slice:hover { fill-opacity: 0.85; }
.chart .bar:focus-visible, .chart .slice:focus-visible { stroke: var(--text); stroke-width: 2px; vector-effect: non-scaling-stroke; }

.chart-legend { flex: none; display: flex; flex-wrap: wrap; justify-content: center; gap: 2px 12px; max-height: 40%; overflow: auto; margin: 0; padding: 4px 0 0; list-style: none; font-size: 12px; color: var(--text); }
.chart-legend li { display: inline-flex; align-items: center; gap: 5px; min-width: 0; overflow-wrap: anywhere; }
.chart-legend i { flex: none; width: 10px; height: 10px; border-radius: 2px; background: var(--c); }
.chart-legend i.previous { height: 0; border-radius: 0; background: none; border-top: 2px dashed var(--c); opacity: 0.7; }
.chart-note { flex: none; margin: 2px 0 0; text-align: center; }
`;

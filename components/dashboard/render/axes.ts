import type { ScaleLinear } from "d3-scale";
import { formatTick, type NumberStyle } from "./format";
import { attr, html, joinHtml, type Html } from "./html";

// Axes, grid and legend of the cartesian charts. The plot is an SVG of
// VIEW_W × VIEW_H user units stretched to its box; every text is HTML placed
// by percentage over it, so it stays 11px at any width.

export const VIEW_W = 1000;
export const VIEW_H = 1000;

/** Container widths (px) at which more x labels fit; CSS hides class `x<width>` below that width. */
export const X_TIERS = [360, 480, 640, 800, 1024, 1280, 1600] as const;
/** The narrowest widget assumed below the first tier (a 390px phone minus padding). */
const NARROWEST = 300;
/** The y axis and the right margin take this much of the container's width (.chart-plot in styles.ts). */
const GUTTERS = 60;
const RIGHT_MARGIN = 12;
/** Room for a label: up to 12 characters of ~6.2px at 11px, and a gap; longer labels end in an ellipsis. */
const MAX_LABEL_CHARS = 12;
const CHAR_PX = 6.2;
const LABEL_GAP_PX = 12;

const round1 = (v: number) => Math.round(v * 10) / 10;
const pct = (v: number, of: number) => Math.round((v / of) * 10_000) / 100;

/** Ticks in the values' shared format and the viewer's locale. */
export function renderYAxis(y: ScaleLinear<number, number>, style?: NumberStyle): { grid: Html; labels: Html } {
  const ticks = y.ticks(5);
  let d = "";
  for (const t of ticks) d += `M0,${round1(y(t))}H${VIEW_W}`;
  return {
    grid: html`<path class="chart-grid" d="${d}" vector-effect="non-scaling-stroke"/>`,
    labels: html`<div class="chart-y">${ticks.map((t) => html`<span style="top:${pct(y(t), VIEW_H)}%">${formatTick(t, style)}</span>`)}</div>`,
  };
}

/**
 * Which labels show at which container width. Counting from the last
 * category (the latest period stays labelled), label d is shown at a tier
 * whose step divides d; steps are powers of two, so a wider tier shows a
 * superset. Returns, per category, the tier width from which it shows (0:
 * always) or -1 for never, and the room each shown label has (px).
 */
export function xLabelTiers(labels: readonly string[]): { tiers: number[]; labelPx: number } {
  const n = labels.length;
  let longest = 0;
  for (const l of labels) if (l.length > longest) longest = l.length;
  const labelPx = Math.min(longest, MAX_LABEL_CHARS) * CHAR_PX + LABEL_GAP_PX;
  const stepAt = (width: number) => {
    const fit = Math.max(1, Math.floor((width - GUTTERS) / labelPx));
    let step = 1;
    while (Math.floor((n - 1) / step) + 1 > fit) step *= 2;
    return step;
  };
  const widths = [0, ...X_TIERS];
  const steps = widths.map((w) => stepAt(w || NARROWEST));
  const tiers = labels.map((_, i) => {
    const d = n - 1 - i;
    const tier = steps.findIndex((s) => d % s === 0);
    return tier === -1 ? -1 : widths[tier];
  });
  return { tiers, labelPx };
}

/**
 * X labels at the given user-unit positions, with vertical grid lines under
 * the labelled ones. The last label is centred in a box reaching to the
 * chart's right edge (class `fit`): if it is wider than that box, it ends at
 * the edge instead of being cut off.
 */
export function renderXAxis(positions: readonly number[], labels: readonly string[]): { grid: Html; labels: Html } {
  const { tiers, labelPx } = xLabelTiers(labels);
  const gridByTier = new Map<number, string>();
  const spans: Html[] = [];
  const last = labels.length - 1;
  for (let i = 0; i <= last; i++) {
    const tier = tiers[i];
    if (tier < 0) continue;
    gridByTier.set(tier, (gridByTier.get(tier) ?? "") + `M${round1(positions[i])},0V${VIEW_H}`);
    const at = pct(positions[i], VIEW_W);
    spans.push(
      i === last
        ? html`<span class="fit" style="left:calc(${Math.round((2 * at - 100) * 100) / 100}% - ${RIGHT_MARGIN}px);right:-${RIGHT_MARGIN}px"><span>${labels[i]}</span></span>`
        : html`<span${attr("class", tier > 0 && `x${tier}`)} style="left:${at}%">${labels[i]}</span>`,
    );
  }
  const grid = [...gridByTier].map(([tier, d]) => html`<path class="chart-grid${tier > 0 ? ` x${tier}` : ""}" d="${d}" vector-effect="non-scaling-stroke"/>`);
  return { grid: joinHtml(grid), labels: html`<div class="chart-x" style="--xw:${labelPx - 4}px">${spans}</div>` };
}

/** Series colour class: the palette's six colours, repeated. */
export const colour = (i: number) => `s${(i % 6) + 1}`;

export function renderLegend(names: readonly string[], classOf: (i: number) => string = colour): Html {
  return html`<ul class="chart-legend">${names.map((name, i) => html`<li><i class="${classOf(i)}"></i>${name}</li>`)}</ul>`;
}

import { describe, expect, it } from "vitest";
import { DEMO_DEFINITION } from "@/lib/dashboards/demo-dashboard";
import { reflow, type GridItem } from "./reflow";

const DEMO_LAYOUT = DEMO_DEFINITION.layout ?? [];

const without = (hidden: string[]) => DEMO_LAYOUT.filter((l) => !hidden.includes(l.widget_id)) as GridItem[];
const at = (items: GridItem[], id: string) => items.find((i) => i.widget_id === id);
const rows = (items: GridItem[]) => Math.max(...items.map((i) => i.y + i.h));

describe("the layout closes up around hidden widgets", () => {
  it("a KPI beside a hidden one takes the whole row", () => {
    const out = reflow(without(["revenue"]));
    expect(at(out, "signups")).toMatchObject({ x: 0, y: 0, w: 12, h: 2 });
    expect(at(out, "page-views")).toMatchObject({ x: 0, y: 2, w: 12 });
  });

  it("cards below a hidden full-width card move up, with no empty row left", () => {
    const out = reflow(without(["page-views"]));
    expect(at(out, "signups-by-country")).toMatchObject({ y: 2, x: 0, w: 6 });
    expect(at(out, "devices")).toMatchObject({ y: 2, x: 6, w: 6 });
    expect(at(out, "top-pages")).toMatchObject({ y: 6, w: 12 });
    expect(rows(out)).toBe(10);
  });

  it("fills the grid without overlaps whatever is hidden", () => {
    const ids = DEMO_LAYOUT.map((l) => l.widget_id);
    for (let mask = 1; mask < 1 << ids.length; mask++) {
      const hidden = ids.filter((_id, i) => mask & (1 << i));
      const out = reflow(without(hidden));
      for (const a of out) {
        expect(a.x >= 0 && a.x + a.w <= 12 && a.y >= 0, JSON.stringify(a)).toBe(true);
        for (const b of out) if (a !== b) expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h, `${a.widget_id} overlaps ${b.widget_id}`).toBe(false);
      }
      // Closed up: no card can move up, and none has a free column beside it over its height.
      const clear = (probe: GridItem, self: GridItem) => probe.x >= 0 && probe.x + probe.w <= 12 && probe.y >= 0 && !out.some((o) => o !== self && probe.x < o.x + o.w && o.x < probe.x + probe.w && probe.y < o.y + o.h && o.y < probe.y + probe.h);
      for (const a of out) {
        expect(clear({ ...a, y: a.y - 1 }, a), `${a.widget_id} could move up (hidden: ${hidden})`).toBe(false);
        expect(clear({ ...a, x: a.x + a.w, w: 1 }, a) || clear({ ...a, x: a.x - 1, w: 1 }, a), `${a.widget_id} could widen (hidden: ${hidden})`).toBe(false);
      }
    }
  });

  it("keeps a full layout as it is", () => {
    expect(reflow(without([]))).toEqual(without([]));
  });
});

import { describe, expect, it } from "vitest";
import { X_TIERS, xLabelTiers } from "./axes";
import { WIDGET_BODY_CSS } from "./styles";

// X labels thin out on narrow widgets through CSS container queries: a label
// with class x<width> is hidden below that width.

const shownAt = (tiers: number[], width: number) => tiers.flatMap((t, i) => (t !== -1 && t <= width ? [i] : []));

describe("x label thinning", () => {
  const labels = Array.from({ length: 90 }, (_, i) => `2026-05-${String(i).padStart(2, "0")}`);
  const { tiers, labelPx } = xLabelTiers(labels);

  it("always shows the latest label, and shows more labels, never others, as the widget widens", () => {
    expect(tiers.at(-1)).toBe(0);
    let previous: number[] = [];
    for (const width of [300, ...X_TIERS]) {
      const shown = shownAt(tiers, width);
      expect(shown).toEqual(expect.arrayContaining(previous));
      previous = shown;
    }
  });

  it("leaves each shown label its room at every width", () => {
    for (const width of [300, ...X_TIERS]) {
      const shown = shownAt(tiers, width);
      const gap = ((shown[1] - shown[0]) / (labels.length - 1)) * (width - 60);
      expect(gap, `at ${width}px`).toBeGreaterThanOrEqual(labelPx);
    }
  });

  it("shows every label when they all fit, and has a CSS rule for every tier", () => {
    expect(xLabelTiers(["a", "b", "c"]).tiers).toEqual([0, 0, 0]);
    for (const w of X_TIERS) expect(WIDGET_BODY_CSS).toContain(`@container chart (max-width: ${w - 0.02}px) { .chart .x${w} { display: none; } }`);
  });
});

describe("styles", () => {
  it("uses the theme's variables and no fixed colours, so dark mode follows", () => {
    expect(WIDGET_BODY_CSS).not.toMatch(/#[0-9a-f]{3,8}\b|rgb\(|hsl\(/i);
    for (let i = 1; i <= 6; i++) expect(WIDGET_BODY_CSS).toContain(`var(--chart-${i})`);
    expect(WIDGET_BODY_CSS).toContain("container: chart / inline-size");
  });
});

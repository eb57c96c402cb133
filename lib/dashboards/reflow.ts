// When a session hides widgets, the cards left behind close up: no hole where
// a hidden card would have been. Each card moves up as far as it can without
// overlapping one above it (never down, never sideways), then widens into the
// free columns beside it over its whole height. The designer's layout is used
// as it is when nothing is hidden. Pure; the grid is 12 columns wide.

export type GridItem = { widget_id: string; x: number; y: number; w: number; h: number };

const COLUMNS = 12;
const overlaps = (a: GridItem, b: GridItem) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

export function reflow<T extends GridItem>(items: T[]): T[] {
  const placed: T[] = [];
  for (const item of [...items].sort((a, b) => a.y - b.y || a.x - b.x)) {
    let y = item.y;
    while (y > 0 && !placed.some((p) => overlaps({ ...item, y: y - 1 }, p))) y--;
    placed.push({ ...item, y });
  }
  const free = (self: T, x: number) => x >= 0 && x < COLUMNS && !placed.some((p) => p !== self && overlaps({ ...self, x, w: 1 }, p));
  for (const item of placed) {
    while (free(item, item.x + item.w)) item.w++;
    while (free(item, item.x - 1)) {
      item.x--;
      item.w++;
    }
  }
  // Back in the order the layout had.
  return items.map((i) => placed.find((p) => p.widget_id === i.widget_id)!);
}

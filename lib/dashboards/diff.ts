import type { DashboardDefinition } from "@/lib/dashboards/definition";

// What changed between two dashboard definitions, in words an admin reads.

export type DefinitionDiff = {
  added: { id: string; title: string }[];
  removed: { id: string; title: string }[];
  changed: { id: string; title: string; fields: string[] }[];
  dashboard: string[];
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function diffDefinitions(from: DashboardDefinition, to: DashboardDefinition): DefinitionDiff {
  const before = new Map(from.widgets.map((w) => [w.id, w]));
  const after = new Map(to.widgets.map((w) => [w.id, w]));
  const added = to.widgets.filter((w) => !before.has(w.id)).map((w) => ({ id: w.id, title: w.title }));
  const removed = from.widgets.filter((w) => !after.has(w.id)).map((w) => ({ id: w.id, title: w.title }));
  const changed: DefinitionDiff["changed"] = [];
  for (const w of to.widgets) {
    const old = before.get(w.id);
    if (!old) continue;
    const keys = [...new Set([...Object.keys(old), ...Object.keys(w)])] as (keyof typeof w)[];
    const fields = keys.filter((k) => !same((old as Record<string, unknown>)[k as string], (w as Record<string, unknown>)[k as string])).map(String);
    const oldLayout = from.layout.find((l) => l.widget_id === w.id);
    const newLayout = to.layout.find((l) => l.widget_id === w.id);
    if (!same(oldLayout, newLayout)) fields.push("layout");
    if (fields.length) changed.push({ id: w.id, title: w.title, fields });
  }
  const dashboard: string[] = [];
  if (from.timezone !== to.timezone) dashboard.push(`time zone ${from.timezone} → ${to.timezone}`);
  if (!same(from.filters, to.filters)) dashboard.push("end-user filters");
  return { added, removed, changed, dashboard };
}

export function isEmptyDiff(d: DefinitionDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length + d.dashboard.length === 0;
}

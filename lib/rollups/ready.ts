import "server-only";
import type { DashboardDefinition } from "@/lib/dashboards/definition";
import { getDb } from "@/lib/db";
import { deriveRollup, type RollupDefinition } from "@/lib/rollups/define";

// The readers' side of rollups: the rollup a definition's widgets may be
// answered from, if it is built. Which rollups are ready is read from the
// database at most every two seconds (builds clear it when they change state).

const READY_TTL_MS = 2000;
type Ready = { at: number; ids: Promise<Set<string>> };
const shared = (globalThis as unknown as { enclaveRollupsReady?: { cache?: Ready; derived: WeakMap<DashboardDefinition, RollupDefinition | null> } }).enclaveRollupsReady ??= { derived: new WeakMap() };

export function forgetRollupStates(): void {
  shared.cache = undefined;
}

export async function readyRollupIds(): Promise<Set<string>> {
  if (!shared.cache || Date.now() - shared.cache.at > READY_TTL_MS) {
    const ids = getDb()
      .rollup.findMany({ where: { state: "ready" }, select: { id: true } })
      .then((rows) => new Set(rows.map((r) => r.id)));
    shared.cache = { at: Date.now(), ids };
    ids.catch(() => (shared.cache = undefined));
  }
  return shared.cache.ids;
}

/** The built rollup whose sets this definition's widgets need, or undefined (not built yet, or none needed). */
export async function readyRollupFor(definition: DashboardDefinition): Promise<RollupDefinition | undefined> {
  let def = shared.derived.get(definition);
  if (def === undefined) {
    def = deriveRollup(definition) ?? null;
    shared.derived.set(definition, def);
  }
  if (!def) return undefined;
  return (await readyRollupIds()).has(def.id) ? def : undefined;
}

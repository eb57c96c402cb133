// A cache whose entries all live the same time, in a Map (which keeps
// insertion order). Storing moves a key to the end, so the map is in age order
// and the stale entries are the ones at its front: each store drops them,
// stopping at the first fresh one. Entries last one lifetime, not until the
// process ends or a size cap is reached.

/** Stores `value` under `key` at the end of `map`, after dropping the stale entries at its front and, at `max`, the oldest. */
export function storeInAgeOrder<K, V>(map: Map<K, V>, key: K, value: V, isStale: (held: V) => boolean, max = Infinity): void {
  for (const [oldest, held] of map) {
    if (!isStale(held)) break;
    map.delete(oldest);
  }
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}

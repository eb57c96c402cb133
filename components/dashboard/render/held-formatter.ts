// Building an Intl formatter costs far more than using one: each (locale,
// shape) gets one, made once and held (at most 500; the set is cleared when
// full). A locale this runtime cannot format in falls back to English
// (sessions are validated at mint, so that is a safety net).

export const MAX_HELD = 500;

export function heldFormatter<T>(held: Map<string, T>, locale: string, shape: string, make: (locale: string) => T): T {
  const key = `${locale}|${shape}`;
  let f = held.get(key);
  if (!f) {
    try {
      f = make(locale);
    } catch {
      f = make("en");
    }
    if (held.size >= MAX_HELD) held.clear();
    held.set(key, f);
  }
  return f;
}

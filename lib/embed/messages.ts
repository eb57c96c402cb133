import { de } from "./messages-de";
import { en, type MessageKey } from "./messages-en";

// The embed's own words (buttons, labels, empty states, the refusal page) in
// the session's language. Used by the server renderer and bundled into the
// page's script (components/embed-client), so nothing here is server-only.
// Words that come from elsewhere stay as they are: API error messages,
// dashboard and widget titles, catalog labels.

export type { MessageKey };
export type Messages = Record<MessageKey, string>;

export const DEFAULT_LOCALE = "en";

/** Each language's own catalog, as written (messagesFor fills gaps from English). */
export const CATALOGS: Readonly<Record<string, Partial<Messages>>> = { en, de };

/** The languages with a catalog ("en", "de"). */
export const LANGUAGES = Object.keys(CATALOGS);

const resolved = new Map<string, Messages>();

/**
 * The catalog for a BCP 47 locale: its language's ("de-AT" → de), English for
 * a language without one. Any key a catalog lacks falls back to English.
 */
export function messagesFor(locale: string): Messages {
  let messages = resolved.get(locale);
  if (!messages) {
    const catalog = CATALOGS[locale.split("-")[0].toLowerCase()];
    messages = catalog && catalog !== en ? { ...en, ...catalog } : en;
    if (resolved.size < 100) resolved.set(locale, messages);
  }
  return messages;
}

/** One message, its "{name}" placeholders filled from vars (already formatted for the locale). */
export function t(locale: string, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = messagesFor(locale)[key] ?? en[key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

import { z } from "zod";
import { DEFAULT_LOCALE } from "@/lib/embed/messages";

// The viewer's locale, a claim of the embed session set at mint: a BCP 47 tag
// this server's Intl knows, stored in its canonical form ("de-de" → "de-DE").
// Numbers, dates and the embed's own words follow it (lib/embed/messages.ts).

/** The canonical form of a BCP 47 tag Intl can format in, or undefined. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0 && Intl.DateTimeFormat.supportedLocalesOf(canonical).length > 0 ? canonical : undefined;
  } catch {
    return undefined; // RangeError: not a well-formed tag
  }
}

export const EmbedLocale = z
  .string()
  .min(2)
  .max(35)
  .transform((tag, ctx) => {
    const canonical = canonicalLocale(tag);
    if (!canonical) ctx.addIssue({ code: "custom", message: `"${tag}" is not a BCP 47 locale this server can format in (use a tag such as "en", "de" or "fr-CA")` });
    return canonical ?? DEFAULT_LOCALE;
  });

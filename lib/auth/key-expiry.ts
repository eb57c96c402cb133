import { z } from "zod";

// When an API key stops working. One parser for the admin UI, the CLI and any
// code that creates keys: a date alone means the end of that day in UTC (the
// key works through it), a date and time needs its zone, and "30d" or
// "30 days" counts from now. The time must be in the future.

const DAYS = /^(\d{1,5})\s*(?:d|days?)$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/i;
const MAX_DAYS = 36_500;

const HOW = "use a date (2027-01-31, the key works through that day, UTC), a date and time with its zone (2027-01-31T12:00:00Z) or a number of days (30d)";

/** The expiry time for `value` as of `now`, or a message saying what to fix. */
export function parseKeyExpiry(value: string | Date, now: Date = new Date()): { ok: true; expiresAt: Date } | { ok: false; message: string } {
  let expiresAt: Date;
  if (value instanceof Date) {
    expiresAt = new Date(value.getTime());
  } else {
    const text = value.trim();
    const days = DAYS.exec(text);
    if (days) {
      const n = Number(days[1]);
      if (n < 1 || n > MAX_DAYS) return { ok: false, message: `"${text}" is not between 1 and ${MAX_DAYS} days` };
      expiresAt = new Date(now.getTime() + n * 86_400_000);
    } else if (DATE_ONLY.test(text)) {
      expiresAt = new Date(`${text}T23:59:59.999Z`);
      if (!Number.isNaN(expiresAt.getTime()) && expiresAt.toISOString().slice(0, 10) !== text) return { ok: false, message: `"${text}" is not a real date: ${HOW}` };
    } else if (DATE_TIME.test(text)) {
      expiresAt = new Date(text);
    } else {
      return { ok: false, message: `"${text.slice(0, 60)}" is not an expiry: ${HOW}` };
    }
  }
  if (Number.isNaN(expiresAt.getTime())) return { ok: false, message: `that is not a real date: ${HOW}` };
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, message: `${expiresAt.toISOString()} is in the past: pick a time after ${now.toISOString()}` };
  return { ok: true, expiresAt };
}

/** `expires_at` in a create-key body: optional, parsed as above. */
export const KeyExpiry = z.union([z.string().max(100), z.date()], "expected a date, a date and time with its zone, or a number of days such as 30d").transform((value, ctx) => {
  const parsed = parseKeyExpiry(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: parsed.message });
    return z.NEVER;
  }
  return parsed.expiresAt;
});

/** Whether a key with this expiry is refused at `now`: from the expiry instant on. */
export function isExpired(expiresAt: Date | null, now: Date = new Date()): boolean {
  return expiresAt !== null && now.getTime() >= expiresAt.getTime();
}

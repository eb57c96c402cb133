import "server-only";
import path from "node:path";
import { z } from "zod";
import { parseTrustProxy } from "@/scripts/server/client-address.mjs";
import { parseDrainSeconds } from "@/scripts/server/graceful.mjs";

// The one place environment variables are read. Everything else imports getEnv().

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const intInRange = (min: number, max: number, fallback: number) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, { message: `expected a whole number between ${min} and ${max}` })
      .transform(Number)
      .pipe(z.number().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`))
      .optional()
      .transform((v) => v ?? fallback),
  );

const urlString = (what: string) =>
  optionalString.pipe(
    z
      .string()
      .refine((v) => {
        try {
          const u = new URL(v);
          return u.protocol === "http:" || u.protocol === "https:";
        } catch {
          return false;
        }
      }, `expected an http(s) URL for ${what}, e.g. http://localhost:8123`)
      .optional(),
  );

/** `kid:secret` pairs separated by commas, newest last. Secrets need 32+ characters. */
const signingKeys = optionalString.pipe(
  z
    .string()
    .transform((raw, ctx) => {
      const keys = raw.split(",").map((pair) => pair.trim()).filter(Boolean).map((pair) => {
        const at = pair.indexOf(":");
        return { kid: pair.slice(0, at), secret: pair.slice(at + 1) };
      });
      const bad = keys.find((k) => !/^[A-Za-z0-9_-]{1,64}$/.test(k.kid) || k.secret.length < 32);
      if (keys.length === 0 || bad) {
        ctx.addIssue({
          code: "custom",
          message: "expected comma-separated kid:secret pairs (kid of letters, digits, _ or -; secret of 32+ characters), newest last",
        });
        return z.NEVER;
      }
      return keys;
    })
    .optional(),
);

export const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATA_DIR: optionalString.transform((v) => path.resolve(/* turbopackIgnore: true */ process.cwd(), v ?? "./data")),
  // Tenant erasures, kept outside DATA_DIR so a restored backup erases them again (lib/backup/erasure-ledger.ts).
  ERASURE_LEDGER: optionalString.transform((v) => (v === undefined ? undefined : path.resolve(/* turbopackIgnore: true */ process.cwd(), v))),
  PORT: intInRange(1, 65535, 3000),
  APP_URL: urlString("APP_URL"),
  NEXTAUTH_URL: urlString("NEXTAUTH_URL"),
  NEXTAUTH_SECRET: optionalString.pipe(
    z.string().min(32, "expected at least 32 characters (generate one with: openssl rand -base64 32)").optional(),
  ),
  EMBED_SIGNING_KEYS: signingKeys,
  CLICKHOUSE_URL: urlString("CLICKHOUSE_URL"),
  CLICKHOUSE_USER: optionalString,
  CLICKHOUSE_PASSWORD: optionalString,
  CLICKHOUSE_DATABASE: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "expected a database name of letters, digits and _")
      .optional()
      .transform((v) => v ?? "enclave"),
  ),
  ADMIN_EMAIL: optionalString.pipe(z.email("expected an email address").optional()),
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(12, "expected at least 12 characters").optional()),
  DEMO_EVENTS: intInRange(0, 50_000_000, 100_000),
  // Proxies in front of the server whose X-Forwarded-For is believed: a hop count or addresses/CIDRs (scripts/server/client-address.mjs).
  TRUST_PROXY: optionalString.superRefine((v, ctx) => {
    try {
      parseTrustProxy(v);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message.replace(/^TRUST_PROXY: /, "") });
    }
  }),
  // How long a stop waits for requests in flight; scripts/server.mjs reads it (scripts/server/graceful.mjs).
  SHUTDOWN_DRAIN_SECONDS: optionalString.superRefine((v, ctx) => {
    try {
      parseDrainSeconds(v);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message.replace(/^SHUTDOWN_DRAIN_SECONDS: /, "") });
    }
  }),
  LOGIN_MAX_FAILURES: intInRange(1, 1000, 5),
  LOGIN_WINDOW_MINUTES: intInRange(1, 24 * 60, 15),
  QUERY_TIMEOUT_SECONDS: intInRange(1, 3600, 10),
  QUERY_MAX_ROWS_READ: intInRange(1000, 10_000_000_000, 200_000_000),
  QUERY_MAX_RESULT_ROWS: intInRange(1, 10_000_000, 50_000),
  QUERY_MAX_MEMORY_BYTES: intInRange(16_000_000, 1_000_000_000_000, 1_000_000_000),
  QUERY_CONCURRENCY_PER_TENANT: intInRange(1, 1000, 4),
  // Threads one tenant query may use. 1 suits many concurrent small queries (dashboards);
  // raise it for few users with very large tenants, or on a ClickHouse server with many cores.
  QUERY_MAX_THREADS: intInRange(1, 256, 1),
  RESULT_CACHE_TTL_SECONDS: intInRange(0, 3600, 30),
  EMBED_MAX_TTL_SECONDS: intInRange(60, 86_400, 86_400),
  // Start a minted session's first render at once, so the iframe finds it cached (0 turns it off).
  EMBED_WARM_AT_MINT: intInRange(0, 1, 1),
  ROLLUPS: intInRange(0, 1, 1),
  // Days of events kept for tenants without a retention of their own (0: keep everything).
  RETENTION_DAYS: intInRange(0, 36_500, 0),
  // AI questions: an OpenAI-compatible chat-completions endpoint; the built-in offline provider when unset.
  // Mail (invites now, reports later): smtp:// or smtps://user:password@host:port; unset = links are shown to copy.
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .refine((v) => {
        try {
          return ["smtp:", "smtps:"].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, "expected smtp://[user:password@]host[:port] or smtps://…")
      .optional(),
  ),
  MAIL_FROM: optionalString.pipe(z.string().regex(/^[^\r\n]{3,200}$/, "expected a sender such as Enclave <enclave@yourcompany.com>").optional()),
  // Single sign-on through OpenID Connect (README, "Single sign-on"): issuer, client id and secret turn it on.
  OIDC_ISSUER: urlString("OIDC_ISSUER"),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_NAME: optionalString.pipe(z.string().max(60, "expected a button label of at most 60 characters").optional().transform((v) => v ?? "single sign-on")),
  // Email domains whose addresses may sign in through it (comma-separated), or * for any the provider vouches for.
  OIDC_ALLOWED_DOMAINS: optionalString.pipe(
    z
      .string()
      .transform((raw) => raw.split(",").map((d) => d.trim().toLowerCase().replace(/^@/, "")).filter(Boolean))
      .refine((list) => list.length > 0 && list.every((d) => d === "*" || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)), "expected comma-separated email domains (e.g. yourcompany.com,subsidiary.com) or *")
      .optional(),
  ),
  // The role of someone who signs in through it for the first time without an invite; none = invited teammates only.
  OIDC_DEFAULT_ROLE: optionalString.pipe(z.enum(["viewer", "editor", "none"], { error: "expected viewer, editor or none (owners are made by owners)" }).optional().transform((v) => v ?? "viewer")),
  PASSWORD_SIGN_IN: optionalString.pipe(z.enum(["on", "off"], { error: "expected on or off" }).optional().transform((v) => v ?? "on")),
  AI_BASE_URL: urlString("AI_BASE_URL"),
  AI_API_KEY: optionalString,
  AI_MODEL: optionalString,
  AI_TIMEOUT_SECONDS: intInRange(1, 300, 20),
  AI_QUESTIONS_PER_SESSION_PER_MINUTE: intInRange(1, 10_000, 10),
  AI_QUESTIONS_PER_TENANT_PER_MINUTE: intInRange(1, 100_000, 30),
  // Decompressed bytes of one POST /v1/events body (413 above it).
  INGEST_MAX_BODY_BYTES: intInRange(1_000, 1_000_000_000, 32_000_000),
});

export type Env = z.infer<typeof EnvSchema> & { appUrl: string; erasureLedger: string };

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\nFix these environment variables and start again.`);
    this.name = "EnvError";
  }
}

/** Parses an environment; throws EnvError naming each bad variable and what it expects. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "environment");
        const got = source[name];
        // Secrets are never echoed, nor a URL's user and password (CLICKHOUSE_URL, SMTP_URL may hold them).
        const shown = got === undefined || /SECRET|PASSWORD|KEYS|API_KEY/.test(name) ? "" : ` (got "${got.replace(/\/\/[^/@\s]*@/, "//…@")}")`;
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  const env = result.data;
  if ((env.AI_BASE_URL === undefined) !== (env.AI_MODEL === undefined)) {
    throw new EnvError(["AI_BASE_URL and AI_MODEL: set both to use a model (AI_API_KEY too if it needs one), or neither for the built-in offline provider"]);
  }
  if (env.SMTP_URL !== undefined && env.MAIL_FROM === undefined) {
    throw new EnvError(["MAIL_FROM: set the sender of Enclave's mail (e.g. Enclave <enclave@yourcompany.com>) when SMTP_URL is set"]);
  }
  const oidcParts = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET].filter((v) => v !== undefined).length;
  if (oidcParts !== 0 && oidcParts !== 3) {
    throw new EnvError(["OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: set all three for single sign-on, or none"]);
  }
  if (oidcParts === 3 && env.OIDC_ALLOWED_DOMAINS === undefined) {
    throw new EnvError(["OIDC_ALLOWED_DOMAINS: name the email domains that may sign in through single sign-on (e.g. yourcompany.com), or * for any address the provider vouches for"]);
  }
  if (env.PASSWORD_SIGN_IN === "off" && oidcParts !== 3) {
    throw new EnvError(["PASSWORD_SIGN_IN: off needs single sign-on (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET), or nobody could sign in"]);
  }
  if ((env.ADMIN_EMAIL === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
    throw new EnvError(["ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither"]);
  }
  const appUrl = (env.APP_URL ?? env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, "");
  // Next to the data directory, not in it: restoring means emptying DATA_DIR, and the ledger must outlive that.
  const erasureLedger = env.ERASURE_LEDGER ?? path.join(path.dirname(env.DATA_DIR), `${path.basename(env.DATA_DIR)}.erasures.jsonl`);
  return { ...env, appUrl, erasureLedger };
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * Points this process's stores, opened after the call, at another data
 * directory; the erasure ledger stays where it was. Restore builds the new
 * directory beside the old one and renames it into place.
 */
export function pointAtDataDir(dataDir: string): Env {
  cached = { ...getEnv(), DATA_DIR: dataDir };
  return cached;
}

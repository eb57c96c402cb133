import type { BenchEvent, BenchTenant } from "./dataset";
import type { ExpectedNumbers } from "./expected";
import type { LeakTally } from "./leak-check";
import { REVOCATION_GRACE_MS, type Kind, type Session, type SoakBook } from "./soak-book";
import { checkAll, checkCountry, checkCountryValues, devicesTitle, pageConfig, type PageConfig } from "./soak-checks";
import { seededRandom } from "./stats";

// The soak's traffic, all through the public HTTP API of the running server:
// embed users (mint a session, load the page, change filters the way the
// page's script does), an ingester that retries every other batch with the
// same Idempotency-Key, a revoker (one session at a time, sometimes a whole
// tenant) and one publish of a new version half-way.

export type SoakContext = {
  url: string;
  key: string;
  tenants: BenchTenant[];
  expected: ExpectedNumbers;
  /** Per tenant: events per country over all time (the dropdown's counts). Soak events carry no country. */
  countries: Map<string, Map<string, number>>;
  anchor: Date;
  book: SoakBook;
  tally: LeakTally;
  until: number;
  thinkMs: number;
  seed: number;
  /** Set once the new version is live: pages requested after it must show it. */
  published?: { at: number; title: string };
};

export const V2_TITLE = "Events by device (v2)";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Answer = { status: number; text: string; headers: Headers; startedAt: number };

async function request(ctx: SoakContext, kind: Kind, path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer | undefined> {
  const startedAt = performance.now();
  try {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${ctx.url}${path}`, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body) });
    const text = await res.text();
    ctx.book.time(kind, performance.now() - startedAt);
    return { status: res.status, text, headers: res.headers, startedAt };
  } catch (err) {
    ctx.book.time(kind, performance.now() - startedAt);
    ctx.book.error(`${kind} ${path.slice(0, 40)}: ${(err as Error).message}`);
    return undefined;
  }
}

const errorCode = (a: Answer) => {
  try {
    return (JSON.parse(a.text) as { error?: { code?: string } }).error?.code;
  } catch {
    return /data-enclave-error="([a-z_]+)"/.exec(a.text)?.[1];
  }
};

async function mint(ctx: SoakContext, tenant: string): Promise<Session | undefined> {
  const mintSentAt = performance.now();
  const a = await request(ctx, "mint", "/v1/embed-sessions", { method: "POST", token: ctx.key, body: { tenant_id: tenant, dashboard_id: "dash_demo", expires_in: 3600 } });
  if (!a) return undefined;
  if (a.status !== 201) return void ctx.book.error(`mint for ${tenant}: HTTP ${a.status} ${a.text.slice(0, 120)}`);
  const body = JSON.parse(a.text) as { session_id: string; embed_url: string };
  const session: Session = { id: body.session_id, tenant, url: new URL(body.embed_url).pathname, mintSentAt, mintDoneAt: performance.now() };
  ctx.book.add(session);
  return session;
}

/** One embed user: a session, its page, then filter changes as the page's script makes them, until the session ends. */
async function embedUser(ctx: SoakContext, index: number) {
  const rand = seededRandom(ctx.seed * 1000 + index);
  const think = () => sleep(ctx.thinkMs * (0.5 + rand()));
  await sleep(rand() * ctx.thinkMs * 2); // users arrive spread out
  while (performance.now() < ctx.until) {
    const tenant = ctx.tenants[Math.floor(rand() * ctx.tenants.length)].id;
    const session = await mint(ctx, tenant);
    if (!session) {
      await think();
      continue;
    }
    const page = await request(ctx, "page", session.url);
    if (!page || ctx.book.judge(session, page.status, errorCode(page), page.startedAt, "page") !== "ok") continue;
    const config = pageConfig(page.text);
    if (!config) {
      ctx.book.error(`page of ${tenant}: no client config`);
      continue;
    }
    checkAll(page.text, tenant, ctx.expected, ctx.tally);
    checkVersion(ctx, page.text, page.startedAt);
    ctx.book.inUse.add(session.id);
    const actions = 3 + Math.floor(rand() * 6);
    for (let i = 0; i < actions && performance.now() < ctx.until; i++) {
      await think();
      const r = rand();
      const outcome = r < 0.4 ? await renderCountry(ctx, session, config, rand) : r < 0.7 ? await renderAll(ctx, session, config) : await filterValues(ctx, session, config);
      if (outcome !== "ok") break;
    }
    ctx.book.inUse.delete(session.id);
  }
}

function checkVersion(ctx: SoakContext, html: string, startedAt: number) {
  if (!ctx.published || startedAt < ctx.published.at) return;
  const title = devicesTitle(html);
  if (title !== ctx.published.title) ctx.book.error(`a page requested after the publish shows "${title}", not "${ctx.published.title}"`);
}

async function renderAll(ctx: SoakContext, s: Session, config: PageConfig) {
  const a = await request(ctx, "render", "/api/embed/render", { method: "POST", token: config.dataToken, body: { state: config.state } });
  if (!a) return "error";
  const verdict = ctx.book.judge(s, a.status, errorCode(a), a.startedAt, "render");
  if (verdict === "ok") checkAll(Object.values((JSON.parse(a.text) as { cards: Record<string, string> }).cards).join("\n"), s.tenant, ctx.expected, ctx.tally);
  return verdict;
}

async function renderCountry(ctx: SoakContext, s: Session, config: PageConfig, rand: () => number) {
  const own = [...(ctx.countries.get(s.tenant)?.keys() ?? [])];
  // Mostly the tenant's own countries; sometimes one it has no events in (must show zero, not a neighbour's).
  const country = own.length > 0 && rand() < 0.8 ? own[Math.floor(rand() * own.length)] : ["US", "GB", "DE", "FR", "CA", "IN", "BR", "JP", "AU"][Math.floor(rand() * 9)];
  const state = { ...config.state, filters: { ...config.state.filters, filters: [{ field: "country", op: "equals", value: country }] } };
  const a = await request(ctx, "render-country", "/api/embed/render", { method: "POST", token: config.dataToken, body: { state, widgets: ["signups", "signups-by-country"] } });
  if (!a) return "error";
  const verdict = ctx.book.judge(s, a.status, errorCode(a), a.startedAt, "country render");
  if (verdict === "ok") checkCountry(Object.values((JSON.parse(a.text) as { cards: Record<string, string> }).cards).join("\n"), s.tenant, country, ctx.expected, ctx.tally);
  return verdict;
}

async function filterValues(ctx: SoakContext, s: Session, config: PageConfig) {
  const a = await request(ctx, "filter-values", "/api/embed/filter-values", { method: "POST", token: config.dataToken, body: { dimension: "country", limit: 200 } });
  if (!a) return "error";
  const verdict = ctx.book.judge(s, a.status, errorCode(a), a.startedAt, "filter values");
  if (verdict === "ok") checkCountryValues(JSON.parse(a.text) as { values?: { value: string; events: number }[] }, s.tenant, ctx.countries.get(s.tenant) ?? new Map(), ctx.tally);
  return verdict;
}

/** Batches of old events (outside every widget's window, no country): each one retried with the same Idempotency-Key half the time. */
async function ingester(ctx: SoakContext) {
  const rand = seededRandom(ctx.seed + 7);
  const runId = `${ctx.seed}-${Date.now().toString(36)}`;
  for (let batch = 0; performance.now() < ctx.until; batch++) {
    await sleep(1000);
    const events: BenchEvent[] = Array.from({ length: 200 }, (_, i) => {
      const tenant = ctx.tenants[Math.floor(rand() * ctx.tenants.length)].id;
      const daysAgo = 62 + Math.floor(rand() * 26);
      return { tenant_id: tenant, name: "page_view", event_id: `soak-${runId}-${batch}-${i}`, ts: new Date(ctx.anchor.getTime() - daysAgo * 86_400_000 + Math.floor(rand() * 86_400_000)).toISOString(), user_id: `u${Math.floor(rand() * 50)}`, properties: { device: "desktop", page: "/soak" } };
    });
    const body = JSON.stringify(events);
    const headers = { "idempotency-key": `soak-${runId}-${batch}` };
    const first = await request(ctx, "ingest", "/v1/events", { method: "POST", token: ctx.key, body, headers });
    if (!first) continue;
    if (first.status !== 200 || (JSON.parse(first.text) as { accepted?: number }).accepted !== events.length) {
      ctx.book.error(`ingest: HTTP ${first.status} ${first.text.slice(0, 160)}`);
      continue;
    }
    for (const e of events) ctx.expected.add(e);
    if (rand() < 0.5) {
      const retry = await request(ctx, "ingest-retry", "/v1/events", { method: "POST", token: ctx.key, body, headers });
      if (retry && (retry.status !== 200 || retry.headers.get("idempotent-replayed") !== "true")) ctx.book.error(`ingest retry: HTTP ${retry.status} replayed=${retry.headers.get("idempotent-replayed")} ${retry.text.slice(0, 120)}`);
    }
  }
}

/** Revokes a live session every 2 s, and every fifth time all sessions of its tenant. */
async function revoker(ctx: SoakContext) {
  const rand = seededRandom(ctx.seed + 11);
  for (let i = 1; performance.now() < ctx.until - REVOCATION_GRACE_MS; i++) {
    await sleep(2000);
    const live = [...ctx.book.inUse].map((id) => ctx.book.sessions.get(id)!).filter((s) => s.revokeSentAt === undefined);
    if (live.length === 0) continue;
    const target = live[Math.floor(rand() * live.length)];
    const sentAt = performance.now();
    if (i % 5 === 0) {
      ctx.book.tenantRevokeSent(target.tenant, sentAt);
      const a = await request(ctx, "revoke-tenant", `/v1/tenants/${encodeURIComponent(target.tenant)}/revoke-sessions`, { method: "POST", token: ctx.key });
      if (a?.status === 200) ctx.book.tenantRevokeDone(target.tenant, sentAt, performance.now());
      else if (a) ctx.book.error(`tenant revoke: HTTP ${a.status}`);
    } else {
      ctx.book.revokeSent(target.id, sentAt);
      const a = await request(ctx, "revoke", `/v1/embed-sessions/${target.id}`, { method: "DELETE", token: ctx.key });
      if (a?.status === 200) ctx.book.revokeDone(target.id, performance.now());
      else if (a) ctx.book.error(`revoke: HTTP ${a.status}`);
    }
  }
}

/** Half-way: a new version of the demo dashboard (the device widget renamed) is published while the users keep going. */
async function publisher(ctx: SoakContext, at: number) {
  await sleep(Math.max(0, at - performance.now()));
  const current = await request(ctx, "publish", "/v1/dashboards/dash_demo", { token: ctx.key });
  if (current?.status !== 200) return void ctx.book.error(`reading the dashboard: HTTP ${current?.status}`);
  const dashboard = JSON.parse(current.text) as { draft_version: number; definition: { widgets: { id: string; title?: string }[] } };
  for (const w of dashboard.definition.widgets) if (w.id === "devices") w.title = V2_TITLE;
  const saved = await request(ctx, "publish", "/v1/dashboards/dash_demo", { method: "PUT", token: ctx.key, body: { draft_version: dashboard.draft_version, definition: dashboard.definition } });
  if (saved?.status !== 200) return void ctx.book.error(`saving the draft: HTTP ${saved?.status} ${saved?.text.slice(0, 160)}`);
  const published = await request(ctx, "publish", "/v1/dashboards/dash_demo/publish", { method: "POST", token: ctx.key, body: { note: "soak: mid-run version", draft_version: (JSON.parse(saved.text) as { draft_version: number }).draft_version } });
  if (published?.status !== 201) return void ctx.book.error(`publishing: HTTP ${published?.status} ${published?.text.slice(0, 160)}`);
  ctx.published = { at: performance.now(), title: V2_TITLE };
}

export async function runLoad(ctx: SoakContext, concurrency: number, durationMs: number) {
  const start = performance.now();
  await Promise.all([
    ...Array.from({ length: concurrency }, (_, i) => embedUser(ctx, i)),
    ingester(ctx),
    revoker(ctx),
    publisher(ctx, start + durationMs / 2),
  ]);
}

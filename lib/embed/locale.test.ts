import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { createApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { ensureDemoDashboard, DEMO_DASHBOARD_ID } from "@/lib/dashboards/demo-dashboard";
import { embedPage } from "@/lib/embed/embed-page";
import type { PageResult } from "@/lib/embed/embed-response";
import { openEmbed } from "@/lib/embed/open-embed";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { POST as mintRoute } from "@/app/v1/embed-sessions/route";
import { DELETE as revokeRoute, GET as getRoute } from "@/app/v1/embed-sessions/[id]/route";
import { POST as renderRoute } from "@/app/api/embed/render/route";

// The viewer's locale is a claim of the embed session, set at mint: validated
// and stored in canonical form, and followed by the page (its <html lang>, its
// words, its numbers) and by the cards re-rendered later. Two tenants, each
// shown in English and in German: the same numbers, written two ways, and
// never the other tenant's.

let key: string;

function call(handler: unknown, body: unknown, init: { token?: string; params?: Record<string, string>; method?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${init.token ?? key}` };
  const req = new Request("http://test/v1", { method: init.method ?? "POST", headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return (handler as (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>)(req, { params: Promise.resolve(init.params ?? {}) });
}

async function mint(body: Record<string, unknown>) {
  const res = await call(mintRoute, { dashboard_id: DEMO_DASHBOARD_ID, ...body });
  return { status: res.status, body: await res.json() };
}

async function text(page: PageResult): Promise<string> {
  if ("html" in page) return page.html;
  let out = "";
  for await (const chunk of page.stream) out += chunk;
  return out;
}

const kpiText = (html: string, id: string) => new RegExp(`data-testid="kpi-${id}">([^<]*)<`).exec(html)?.[1];

/** The page of a session minted for the tenant in the locale. */
async function page(tenant: string, locale?: string) {
  const minted = await mint({ tenant_id: tenant, ...(locale ? { locale } : {}) });
  expect(minted.status).toBe(201);
  return { minted: minted.body, html: await text(await embedPage(minted.body.token)) };
}

beforeAll(async () => {
  migrateTestDatabase();
  await loadDemoFixture(20_000);
  await ensureDemoDashboard();
  key = (await createApiKey({ name: "embed", scopes: ["embed"] }, "test")).secret;
});
afterAll(() => closeAnalytics());

describe("the locale claim at mint", () => {
  it("is stored in canonical form, defaults to en, and reads back with the session", async () => {
    const de = await mint({ tenant_id: "acme", locale: "de-de" });
    expect(de.status).toBe(201);
    const got = await (await call(getRoute, undefined, { params: { id: de.body.session_id }, method: "GET" })).json();
    expect(got).toMatchObject({ session_id: de.body.session_id, tenant_id: "acme", locale: "de-DE" });
    const plain = await mint({ tenant_id: "acme" });
    expect((await (await call(getRoute, undefined, { params: { id: plain.body.session_id }, method: "GET" })).json()).locale).toBe("en");
  });

  it.each(["not a locale", "de_DE", "x", "en-", "a".repeat(40), 42])("refuses %j with 400 validation_failed and stores nothing", async (locale) => {
    const before = await getDb().embedSession.count();
    const res = await mint({ tenant_id: "acme", locale });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.message).toMatch(/locale/);
    expect(await getDb().embedSession.count()).toBe(before);
  });
});

describe("a German session's page, for two tenants", () => {
  it("has <html lang>, German words and German numbers: the same values as the English page of the same tenant", async () => {
    const seen: Record<string, string> = {};
    for (const tenant of ["acme", "globex"]) {
      const en = await page(tenant);
      const de = await page(tenant, "de");
      expect(en.html).toContain('<html lang="en"');
      expect(de.html).toContain('<html lang="de"');
      expect(de.html).toContain("<span>Zeitraum</span>");
      expect(de.html).toContain("Liniendiagramm");
      expect(de.html).not.toContain("<span>Period</span>");
      expect(de.html).toContain('data-enclave-config>{"mode":"embed"');
      expect(de.html).toMatch(/"locale":"de"/);
      // Revenue has decimals and thousands: "12,345.6" in English is "12.345,6" in German.
      const [enRevenue, deRevenue] = [kpiText(en.html, "revenue")!, kpiText(de.html, "revenue")!];
      expect(enRevenue).toMatch(/^\d{1,3}(,\d{3})*(\.\d{1,2})?$/);
      expect(deRevenue).toBe(enRevenue.replace(/[,.]/g, (c) => (c === "," ? "." : ",")));
      seen[tenant] = enRevenue;
    }
    expect(seen.acme).not.toBe(seen.globex);
  });

  it("re-renders cards in the session's locale after a filter change", async () => {
    const opened = await openEmbed((await mint({ tenant_id: "globex", locale: "de" })).body.token);
    if (!opened.ok) throw new Error(opened.code);
    const res = await call(renderRoute, { state: { filters: { time_range: { kind: "last_7_days" } }, breakdowns: {} }, widgets: ["page-views", "top-pages"] }, { token: opened.dataToken });
    expect(res.status).toBe(200);
    const { cards } = (await res.json()) as { cards: Record<string, string> };
    expect(cards["page-views"]).toContain("Liniendiagramm");
    expect(cards["top-pages"]).toMatch(/<td class="num">\d{1,3}(\.\d{3})*<\/td>/);
  });

  it("speaks the signed locale on the page of a revoked link", async () => {
    const { minted } = await page("acme", "de");
    expect((await call(revokeRoute, undefined, { params: { id: minted.session_id }, method: "DELETE" })).status).toBe(200);
    const refused = await embedPage(minted.token);
    expect(refused.status).toBe(401);
    const html = await text(refused);
    expect(html).toContain('<html lang="de"');
    expect(html).toContain("Diese eingebettete Sitzung wurde widerrufen.");
  });
});

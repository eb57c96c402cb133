import type { ExpectedNumbers } from "./expected";
import { cards, checkEmbed, fmt, htmlText, marks, type LeakTally } from "./leak-check";

// What the soak checks in each answer, against the numbers of the session's
// own tenant computed from the generated events: the whole page, a re-render
// with the page's state, a re-render filtered to one country (the signups
// widgets), and the country dropdown's values with their counts.

export type PageConfig = { dataToken: string; state: { filters: Record<string, unknown>; breakdowns: Record<string, string> } };

/** The page's client config (data token and initial state), from its JSON script tag. */
export function pageConfig(html: string): PageConfig | undefined {
  const m = /<script type="application\/json" data-enclave-config>([\s\S]*?)<\/script>/.exec(html);
  return m ? (JSON.parse(m[1]) as PageConfig) : undefined;
}

/** The page or an unfiltered re-render: every widget against the tenant's numbers. */
export function checkAll(html: string, tenant: string, expected: ExpectedNumbers, tally: LeakTally) {
  checkEmbed(html, tenant, expected, tally);
}

/** A re-render filtered to one country: the signups KPI and the by-country bars show that country's signups only. */
export function checkCountry(cardsHtml: string, tenant: string, country: string, expected: ExpectedNumbers, tally: LeakTally) {
  const want = expected.countrySignups(tenant, country);
  const shown = cards(cardsHtml);
  const miss = (what: string, got: unknown, exp: unknown) => tally.mismatches.push(`${tenant} [country=${country}] ${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(exp)}`);
  const kpi = shown.get("signups");
  const bars = shown.get("signups-by-country");
  if (!kpi || !bars || /data-error=/.test(kpi + bars)) {
    tally.widgetErrors.set("country render", (tally.widgetErrors.get("country render") ?? 0) + 1);
    return;
  }
  const value = htmlText(/class="kpi-value"[^>]*>([^<]*)</.exec(kpi)?.[1] ?? "");
  if (value !== fmt.format(want.m0)) miss("signups", value, fmt.format(want.m0));
  for (const [label, v] of marks(bars)) {
    const exp = label === country ? want.m0 : 0;
    if (v !== fmt.format(exp)) miss(`signups-by-country ${label}`, v, fmt.format(exp));
  }
  if (want.m0 > 0 && !marks(bars).has(country)) miss(`signups-by-country ${country}`, "no bar", want.m0);
  tally.responses++;
  tally.values += 1 + marks(bars).size;
}

/** The country dropdown: exactly the tenant's countries, each with its count of events over all time. */
export function checkCountryValues(body: { values?: { value: string; events: number }[] }, tenant: string, counts: Map<string, number>, tally: LeakTally) {
  const got = new Map((body.values ?? []).map((v) => [v.value, v.events]));
  for (const [country, n] of got) if (counts.get(country) !== n) tally.mismatches.push(`${tenant} filter value ${country}: got ${n} events, expected ${counts.get(country) ?? "no such value"}`);
  for (const [country, n] of counts) if (!got.has(country)) tally.mismatches.push(`${tenant} filter value ${country} (${n} events) missing`);
  tally.responses++;
  tally.values += got.size;
}

/** The demo dashboard's device widget title, as a page or re-render shows it. */
export function devicesTitle(html: string): string | undefined {
  const card = cards(html).get("devices");
  return card ? /<h2[^>]*>([^<]*)</.exec(card)?.[1] : undefined;
}

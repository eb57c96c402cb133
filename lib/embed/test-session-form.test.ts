import { describe, expect, it } from "vitest";
import { parseTestSessionForm } from "@/lib/embed/test-session-form";

// The admin's minter form, parsed by the API's own session schema.

function form(fields: Record<string, string | string[]>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) data.append(name, v);
  return data;
}

const options = { dashboardId: "dash_demo", widgetIds: ["signups", "revenue"] };

describe("parseTestSessionForm", () => {
  it("turns every field into the session body the API takes", () => {
    const parsed = parseTestSessionForm(
      form({
        tenant: " acme ", ttl: "600", user_id: "u-7", locale: "de-de", max_date_range_days: "90", lock_dim: "country", lock_values: "US, CA",
        hidden_widgets: ["revenue"], allowed_dimensions: ["country", "plan"], allow_ai: "on", allow_export: "on", allow_drill_down: "on", single_use: "on",
      }),
      options,
    );
    expect(parsed).toEqual({
      ok: true,
      input: {
        tenant_id: "acme", dashboard_id: "dash_demo", expires_in: 600, user_id: "u-7", locale: "de-DE", single_use: true,
        permissions: {
          locked_filters: { country: ["US", "CA"] }, hidden_widgets: ["revenue"], allowed_dimensions: ["country", "plan"], max_date_range_days: 90,
          allow_ai: true, allow_export: true, allow_drill_down: true, allow_save_views: false,
        },
      },
    });
  });

  it("leaves empty fields to the schema's defaults", () => {
    const parsed = parseTestSessionForm(form({ tenant: "acme", ttl: "", max_date_range_days: "", user_id: "", locale: "" }), options);
    expect(parsed.ok && parsed.input).toMatchObject({ expires_in: 3600, locale: "en", single_use: false });
    expect(parsed.ok && parsed.input.permissions).not.toHaveProperty("max_date_range_days");
    expect(parsed.ok && "user_id" in parsed.input).toBe(false);
  });

  it.each([
    [{ tenant: "" }, /^Tenant: /],
    [{ tenant: "has space" }, /^Tenant: expected a tenant id/],
    [{ tenant: "acme", max_date_range_days: "0" }, /^Max date range \(days\): expected a whole number of days from 1 to 3660/],
    [{ tenant: "acme", max_date_range_days: "1.5" }, /^Max date range \(days\): expected a whole number of days from 1 to 3660/],
    [{ tenant: "acme", max_date_range_days: "many" }, /^Max date range \(days\): expected a whole number of days from 1 to 3660/],
    [{ tenant: "acme", ttl: "5" }, /^Lifetime \(s\): expires_in must be at least 10 seconds/],
    [{ tenant: "acme", locale: "xx-!!" }, /^Locale: .*not a BCP 47 locale/],
    [{ tenant: "acme", lock_dim: "country", lock_values: "" }, /^Lock: a locked filter needs at least one value/],
    [{ tenant: "acme", user_id: "u".repeat(201) }, /^User id: /],
    [{ tenant: "acme", hidden_widgets: "nope" }, /^Hidden widgets: "nope" is not a widget of this dashboard's live version/],
  ])("refuses %o with a message naming the field", (fields, message) => {
    const parsed = parseTestSessionForm(form(fields), options);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toMatch(message);
      expect(parsed.message).toMatch(/Nothing was minted\.$/);
    }
  });
});

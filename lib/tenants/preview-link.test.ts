import { describe, expect, it } from "vitest";
import { tenantAuditHref, tenantPreviewHref } from "@/lib/tenants/preview-link";

describe("tenantPreviewHref", () => {
  it("opens the newest live dashboard's live version for the tenant", () => {
    expect(tenantPreviewHref([{ id: "dash_draft", liveVersion: null }, { id: "dash_live", liveVersion: 3 }, { id: "dash_old", liveVersion: 1 }], "acme")).toBe("/admin/dashboards/dash_live/preview?tenant=acme&show=live");
  });

  it("falls back to the newest draft when nothing is published, and to nothing without dashboards", () => {
    expect(tenantPreviewHref([{ id: "dash_a", liveVersion: null }], "acme")).toBe("/admin/dashboards/dash_a/preview?tenant=acme&show=draft");
    expect(tenantPreviewHref([], "acme")).toBeUndefined();
  });

  it("encodes tenant ids that carry URL characters", () => {
    expect(tenantPreviewHref([{ id: "dash_a", liveVersion: 1 }], "a@b:c")).toBe("/admin/dashboards/dash_a/preview?tenant=a%40b%3Ac&show=live");
    expect(tenantAuditHref("a@b:c")).toBe("/admin/audit?target=a%40b%3Ac");
  });
});

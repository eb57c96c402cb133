import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "@/lib/safe-redirect";

describe("safeCallbackPath", () => {
  it("keeps same-site paths", () => {
    expect(safeCallbackPath("/admin/keys?x=1#y")).toBe("/admin/keys?x=1#y");
  });
  it.each(["//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "", undefined, 42, "admin"])("refuses %s", (value) => {
    expect(safeCallbackPath(value)).toBe("/admin");
  });
});

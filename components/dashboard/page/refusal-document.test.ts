import { describe, expect, it } from "vitest";
import { refusalDocument } from "./document";

// An embed link that no longer works, opened without the host's runtime, says
// what happened and what to do, in words.

const page = (code: string, message: string) => refusalDocument({ code, message, origins: [] }, { nonce: "n0nce", css: "" });
const text = (html: string) => html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();

describe("the page for a link that does not work", () => {
  it("names what happened and what to do, for each refusal", () => {
    const expired = text(page("session_expired", "This embed session has expired."));
    expect(expired).toContain("This embed session has expired.");
    expect(expired).toContain("Go back to the page you opened it from and reload it");
    expect(text(page("session_revoked", "This embed session was revoked."))).toMatch(/revoked\. Go back .* reload it for a new link/);
    expect(text(page("session_spent", "This embed link was already used."))).toContain("could be opened once");
    expect(text(page("invalid_token", "This embed link is not valid."))).toContain("copied whole");
    expect(page("session_expired", "x")).toMatch(/<h1>x<\/h1>/);
  });

  it("escapes what it prints", () => {
    expect(page("<img src=x>", "<b>no</b>")).not.toMatch(/<img src=x>|<b>no<\/b>/);
  });
});

import { describe, expect, it } from "vitest";
import { refusalDocument } from "./document";

// An embed link that no longer works, opened without the host's runtime, says
// what happened and what to do, in words.

const page = (code: string, message: string, locale?: string) => refusalDocument({ code, message, origins: [], locale }, { nonce: "n0nce", css: "" });
const text = (html: string) => html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();

describe("the page for a link that does not work", () => {
  it("names what happened and what to do, for each refusal", () => {
    const expired = text(page("session_expired", "This embed session has expired."));
    expect(expired).toContain("This embed session has expired.");
    expect(expired).toContain("Go back to the page you opened it from and reload it");
    expect(text(page("session_revoked", "This embed session was revoked."))).toMatch(/revoked\. Go back .* reload it for a new link/);
    expect(text(page("session_spent", "This embed link was already used."))).toContain("could be opened once");
    expect(text(page("invalid_token", "This embed link is not valid."))).toContain("copied whole");
    // A refusal the catalog has no words for shows the server's message.
    expect(page("teapot", "x")).toMatch(/<h1>x<\/h1>/);
  });

  it("speaks the language signed into the expired link, with <html lang> to match", () => {
    const expired = page("session_expired", "This embed session has expired.", "de-AT");
    expect(expired).toContain('<html lang="de-AT"');
    expect(text(expired)).toContain("Diese eingebettete Sitzung ist abgelaufen.");
    expect(text(expired)).toContain("Gehen Sie zurück zu der Seite");
    expect(expired).toContain("<title>Dashboard nicht verfügbar</title>");
    expect(page("session_expired", "This embed session has expired.")).toContain('<html lang="en"');
  });

  it("escapes what it prints", () => {
    expect(page("<img src=x>", "<b>no</b>")).not.toMatch(/<img src=x>|<b>no<\/b>/);
  });
});

import { describe, expect, it } from "vitest";
import { attr, escapeHtml, html, Html } from "./html";

describe("html", () => {
  it("escapes interpolated strings, so a value can never open a tag or leave an attribute", () => {
    const hostile = `<script>alert("x")</script> & 'quotes' </svg>`;
    expect(html`<p title="${hostile}">${hostile}</p>`.__html).toBe(
      "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &lt;/svg&gt;\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &lt;/svg&gt;</p>",
    );
  });

  it("writes numbers, joins arrays and renders nothing for null, undefined and false", () => {
    const items = ["a<", "b"].map((s) => html`<li>${s}</li>`);
    expect(html`${1.5}|${items}|${null}${undefined}${false}|${["x", "&"]}`.__html).toBe("1.5|<li>a&lt;</li><li>b</li>||x&amp;");
  });

  it("keeps Html made by html as markup, but escapes a look-alike object from data", () => {
    const inner = html`<b>${"bold"}</b>`;
    expect(html`<p>${inner}</p>`.__html).toBe("<p><b>bold</b></p>");
    // A Map column or JSON value from a query can have this shape; it must not become markup.
    const forged = { __html: "<img src=x onerror=alert(1)>" } as unknown as Html;
    expect(html`<p>${forged}</p>`.__html).toBe("<p>[object Object]</p>");
    expect(forged instanceof Html).toBe(false);
    expect(String(inner)).toBe("<b>bold</b>");
  });

  it("escapes the same five characters for text and attributes", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
    expect(escapeHtml("plain text")).toBe("plain text");
  });
});

describe("attr", () => {
  it("writes a quoted, escaped attribute, or nothing for null, undefined and false", () => {
    expect(attr("data-tip", `a" onmouseover="alert(1)`).__html).toBe(' data-tip="a&quot; onmouseover=&quot;alert(1)"');
    expect(attr("data-value", 3).__html).toBe(' data-value="3"');
    expect(attr("data-value", null).__html).toBe("");
    expect(attr("data-value", undefined).__html).toBe("");
    expect(attr("class", false).__html).toBe("");
    expect(attr("hidden", true).__html).toBe(" hidden");
  });

  it("refuses attributes that run script, load URLs or carry CSS", () => {
    for (const name of ["onclick", "onerror", "href", "src", "srcset", "action", "formaction", "xlink:href", "style", "data tip", "a=b", ""]) {
      expect(() => attr(name, "javascript:alert(1)"), name).toThrow(/not an attribute the renderer may write/);
    }
  });
});

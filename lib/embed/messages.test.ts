import { describe, expect, it } from "vitest";
import { en } from "./messages-en";
import { CATALOGS, LANGUAGES, t, type MessageKey } from "./messages";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the embed's message catalog", () => {
  it("has every English key, non-empty and with the same placeholders, in every language", () => {
    expect(LANGUAGES).toEqual(expect.arrayContaining(["en", "de"]));
    for (const language of LANGUAGES) {
      const catalog = CATALOGS[language];
      for (const key of Object.keys(en) as MessageKey[]) {
        expect(catalog[key], `${language} lacks ${key}`).toBeTruthy();
        expect(placeholders(catalog[key]!), `${language} ${key}`).toEqual(placeholders(en[key]));
      }
      expect(Object.keys(catalog).sort(), `${language} has keys English lacks`).toEqual(Object.keys(en).sort());
    }
  });

  it("picks the language of a regional locale and falls back to English for others", () => {
    expect(t("de", "filters.period")).toBe("Zeitraum");
    expect(t("de-AT", "filters.period")).toBe("Zeitraum");
    expect(t("en-GB", "filters.period")).toBe("Period");
    expect(t("fr", "filters.period")).toBe("Period");
  });

  it("fills placeholders and leaves unknown ones", () => {
    expect(t("en", "views.saved", { name: "Germany" })).toBe("Saved “Germany”.");
    expect(t("de", "table.showing_first", { shown: "2.000", total: "2.500" })).toBe("Die ersten 2.000 von 2.500 Zeilen.");
    expect(t("en", "views.saved")).toBe("Saved “{name}”.");
  });
});

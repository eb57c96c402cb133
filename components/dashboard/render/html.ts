// All markup the server renderer emits is built with `html`. Every
// interpolated value is escaped unless it is an Html made here, so a tenant's
// label, dimension value or SQL column name can only ever be text.

let mint: (markup: string) => Html;

/**
 * Markup that is safe to emit as is. Recognised by class, never by shape: a
 * row value parsed from JSON as `{ "__html": "<script>" }` is just an object
 * and gets escaped like any other value.
 */
export class Html {
  readonly __html: string;
  private constructor(markup: string) {
    this.__html = markup;
  }
  static {
    // Only this module mints Html: no exported function turns a string into markup.
    mint = (markup) => new Html(markup);
  }
  toString(): string {
    return this.__html;
  }
}

export type Interpolation = Html | string | number | null | undefined | false | readonly Interpolation[];

const SPECIAL = /[&<>"']/;
const SPECIAL_ALL = /[&<>"']/g;
const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ENTITY[c]) : text;
}

function render(value: unknown): string {
  if (value instanceof Html) return value.__html;
  if (value === null || value === undefined || value === false) return "";
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) {
    let out = "";
    for (const item of value) out += render(item);
    return out;
  }
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<td>${label}</td>\`` escapes `label` unless it is Html. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return mint(out);
}

/** Joins rendered pieces (each already Html) without escaping them again. */
export function joinHtml(parts: readonly Html[], separator = ""): Html {
  let out = "";
  for (let i = 0; i < parts.length; i++) out += (i > 0 ? separator : "") + parts[i].__html;
  return mint(out);
}

// Attributes that run script or load URLs: nothing here ever needs them, so
// a value can never be put where a browser would execute or fetch it.
const NAME = /^[a-z][a-z0-9-]*$/;
const FORBIDDEN_NAME = /^(on|href$|src$|srcset$|action$|formaction$|xlink|xmlns|style$)/;

/**
 * One attribute, ` name="value"`, escaped; nothing for null/undefined/false,
 * the bare name for true. Throws on event handlers, URL attributes and style
 * (positions are written in templates with numbers only).
 */
const allowed = new Set<string>();

export function attr(name: string, value: string | number | boolean | null | undefined): Html {
  if (!allowed.has(name)) {
    if (!NAME.test(name) || FORBIDDEN_NAME.test(name)) throw new Error(`attr(): "${name}" is not an attribute the renderer may write`);
    allowed.add(name);
  }
  if (value === null || value === undefined || value === false) return mint("");
  if (value === true) return mint(` ${name}`);
  return mint(` ${name}="${typeof value === "number" ? String(value) : escapeHtml(value)}"`);
}

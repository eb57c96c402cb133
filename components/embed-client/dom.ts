// A tiny element builder for the page script: text is always set as text
// (never parsed as HTML), so nothing a tenant or a server message says can
// become markup. HTML from the server (rendered cards) is the only markup
// inserted, and only through `swapHtml`.

type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;
type Child = Node | string | false | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, "").toLowerCase(), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== false && child !== null && child !== undefined) el.append(child);
  return el;
}

/** Replaces `target` with the element the server rendered (a card, an answer). */
export function swapHtml(target: Element, markup: string): Element | undefined {
  const template = document.createElement("template");
  template.innerHTML = markup;
  const next = template.content.firstElementChild;
  if (next) target.replaceWith(next);
  return next ?? undefined;
}

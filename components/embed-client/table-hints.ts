// A table wider than its card scrolls sideways; a hint above it says so while
// it overflows (a phone, a narrow card), and goes when it fits again.

export function syncTableHints(root: ParentNode, text: string) {
  for (const wrap of root.querySelectorAll<HTMLElement>(".widget-table")) {
    const overflows = wrap.scrollWidth > wrap.clientWidth + 1;
    const hint = wrap.previousElementSibling?.classList.contains("scroll-hint") ? wrap.previousElementSibling : null;
    if (overflows && !hint) {
      const p = document.createElement("p");
      p.className = "scroll-hint";
      p.textContent = text;
      wrap.before(p);
    } else if (!overflows && hint) hint.remove();
  }
}

export function installTableHints(root: HTMLElement, text: string) {
  const sync = () => syncTableHints(root, text);
  sync();
  window.addEventListener("resize", sync);
  // Cards streamed in late or re-rendered by the server are swapped in: check again when the grid changes.
  new MutationObserver(sync).observe(root, { childList: true, subtree: true });
}

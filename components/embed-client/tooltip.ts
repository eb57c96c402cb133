// Tooltips for the server-drawn charts: every mark carries its text in
// data-tip; one floating box follows the pointer or the focused mark.

export function installTooltips(root: HTMLElement) {
  const tip = document.createElement("div");
  tip.className = "enclave-tip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  document.body.append(tip);
  const show = (mark: Element, x: number, y: number) => {
    tip.textContent = mark.getAttribute("data-tip") ?? "";
    tip.hidden = false;
    const { width, height } = tip.getBoundingClientRect();
    tip.style.left = `${Math.max(4, Math.min(window.innerWidth - width - 4, x + 12))}px`;
    tip.style.top = `${Math.max(4, y - height - 10 < 0 ? y + 16 : y - height - 10)}px`;
  };
  const hide = () => (tip.hidden = true);
  const markOf = (target: EventTarget | null) => (target instanceof Element ? target.closest(".mark[data-tip]") : null);
  root.addEventListener("pointermove", (e) => {
    const mark = markOf(e.target);
    if (mark) show(mark, e.clientX, e.clientY);
    else hide();
  });
  root.addEventListener("pointerleave", hide);
  root.addEventListener("focusin", (e) => {
    const mark = markOf(e.target);
    if (!mark) return;
    const box = mark.getBoundingClientRect();
    show(mark, box.left + box.width / 2, box.top);
  });
  root.addEventListener("focusout", hide);
}

import { t } from "@/lib/embed/messages";
import { Api } from "./api";
import { syncDates } from "./dates";
import { swapHtml } from "./dom";
import { renderDrillPath, renderFilterChips, type Drill } from "./drill";
import type { HostBridge } from "./host";
import type { ClientConfig, DashboardFilters, DashboardState, SavedAnswer } from "./types";

// One dashboard on the page: its state (period, filters, drill-downs) and the
// calls that change it. Cards are re-rendered by the server and swapped in;
// the script never draws a chart itself.

export class Dashboard {
  readonly api: Api;
  state: DashboardState;
  answers: SavedAnswer[] = [];
  /** The drills that led to the current filters, for the breadcrumb (any other filter change starts over). */
  drills: Drill[] = [];
  private generation = 0;
  private ended = false;

  constructor(
    readonly root: HTMLElement,
    readonly config: ClientConfig,
    readonly host: HostBridge | undefined,
  ) {
    this.api = new Api(config.dataToken);
    this.state = structuredClone(config.state);
  }

  card(id: string): HTMLElement | null {
    return this.root.querySelector(`.widget[data-widget="${CSS.escape(id)}"]`);
  }

  /** Re-renders cards (all, or `only`) for the current state; a newer render wins over an older one. */
  async render(only?: string[]) {
    const generation = ++this.generation;
    const cards = only ? only.map((id) => this.card(id)) : [...this.root.querySelectorAll<HTMLElement>(".widget[data-widget]")];
    for (const card of cards) card?.setAttribute("aria-busy", "true");
    const res = await this.api.call<{ cards: Record<string, string> }>("POST", "/api/embed/render", { state: this.state, ...(only ? { widgets: only } : {}) });
    if (generation !== this.generation && !only) return;
    if (!res.ok) {
      for (const card of cards) card?.removeAttribute("aria-busy");
      this.failed(res, () => void this.render(only));
      return;
    }
    this.root.querySelector('.embed-alerts [data-testid="embed-call-error"]')?.remove();
    for (const [id, markup] of Object.entries(res.body.cards)) {
      const card = this.card(id);
      if (card) swapHtml(card, markup);
    }
    this.syncCardErrors();
  }

  /**
   * Cards the server could not fill for a reason that is not theirs (a timeout,
   * the store unavailable): one banner names it once, with a way to try again,
   * instead of the same message on every card.
   */
  syncCardErrors() {
    if (this.ended) return;
    const failed = [...this.root.querySelectorAll<HTMLElement>(".widget[data-widget] [data-banner]")];
    const slot = this.root.querySelector(".embed-alerts")!;
    const current = slot.querySelector<HTMLElement>('[data-testid="embed-widget-errors"]');
    if (failed.length === 0) {
      current?.remove();
      return;
    }
    const ids = failed.map((el) => el.closest<HTMLElement>(".widget")!.dataset.widget!);
    const say = failed.length === 1 ? t(this.config.locale, "banner.one_failed") : t(this.config.locale, "banner.some_failed", { count: failed.length });
    const message = `${say} ${failed[0].dataset.message ?? ""}`.trim();
    const alert = this.alert(message, "alert-error", { label: t(this.config.locale, "banner.try_again"), run: () => void this.render(ids) });
    alert.dataset.testid = "embed-widget-errors";
  }

  setFilters(filters: DashboardFilters, notify = true, drills: Drill[] = []) {
    this.state = { ...this.state, filters };
    this.drills = drills;
    this.syncControls();
    void this.render();
    if (notify) this.host?.post("filter-change", { filters: this.state.filters });
  }

  /** The filter bar shows the state (after a host's set-filters or an opened view), with the drill path and chips for other filters. */
  syncControls() {
    const locale = this.config.locale;
    renderDrillPath(this, { all: t(locale, "drill.all"), label: t(locale, "drill.label"), back: (label) => t(locale, "drill.back", { label }) });
    renderFilterChips(this, { remove: (label) => t(locale, "filters.remove", { label }) });
    syncDates(this);
    for (const select of this.root.querySelectorAll<HTMLSelectElement>("select[data-filter]:not([data-filter=period])")) {
      const chosen = this.state.filters.filters?.find((f) => f.field === select.dataset.filter && f.op === "equals")?.value ?? "";
      if (chosen && ![...select.options].some((o) => o.value === chosen)) select.append(new Option(chosen, chosen));
      select.value = chosen;
    }
  }

  /** A refused call: an ended session shows one banner and tells the host; other errors show on the page. */
  failed(res: { status: number; code: string; message: string }, retry?: () => void) {
    if (res.status === 401) this.endSession(res.code, res.message);
    else this.alert(res.message, "alert-error", retry && { label: t(this.config.locale, "banner.try_again"), run: retry }).dataset.testid = "embed-call-error";
  }

  /** The session ended (expired, revoked): one banner, no data left on screen, and the host is told. */
  endSession(code: string, message: string) {
    if (this.ended) return;
    this.ended = true;
    for (const body of this.root.querySelectorAll(".widget-body, .ask-answers")) {
      const note = document.createElement("div");
      note.className = "empty";
      note.textContent = t(this.config.locale, "session.ended");
      body.replaceChildren(note);
    }
    // Reloading asks the host for a new session (the page for an ended link tells the host why).
    const alert = this.alert(message, "alert-error", { label: t(this.config.locale, "banner.reload"), run: () => window.location.reload() });
    alert.dataset.testid = "embed-session-error";
    alert.dataset.enclaveError = code;
    this.host?.post(code === "session_expired" ? "expired" : "error", { code });
  }

  /** The page's one banner (a new one replaces it), with the action that helps when there is one. */
  alert(message: string, kind: string, action?: { label: string; run: () => void }): HTMLElement {
    const slot = this.root.querySelector(".embed-alerts")!;
    slot.replaceChildren();
    const div = document.createElement("div");
    div.className = `alert ${kind}`;
    div.setAttribute("role", "alert");
    const text = document.createElement("span");
    text.textContent = message;
    div.append(text);
    if (action) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm alert-action";
      button.textContent = action.label;
      button.addEventListener("click", action.run);
      div.append(button);
    }
    slot.append(div);
    return div;
  }
}

import { Api } from "./api";
import { swapHtml } from "./dom";
import type { HostBridge } from "./host";
import type { ClientConfig, DashboardFilters, DashboardState, SavedAnswer } from "./types";

// One dashboard on the page: its state (period, filters, drill-downs) and the
// calls that change it. Cards are re-rendered by the server and swapped in;
// the script never draws a chart itself.

export class Dashboard {
  readonly api: Api;
  state: DashboardState;
  answers: SavedAnswer[] = [];
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
      this.failed(res);
      return;
    }
    for (const [id, markup] of Object.entries(res.body.cards)) {
      const card = this.card(id);
      if (card) swapHtml(card, markup);
    }
  }

  setFilters(filters: DashboardFilters, notify = true) {
    this.state = { ...this.state, filters };
    this.syncControls();
    void this.render();
    if (notify) this.host?.post("filter-change", { filters: this.state.filters });
  }

  /** The filter bar shows the state (after a host's set-filters or an opened view). */
  syncControls() {
    const period = this.root.querySelector<HTMLSelectElement>('select[data-filter="period"]');
    if (period && this.state.filters.time_range) period.value = this.state.filters.time_range.kind;
    for (const select of this.root.querySelectorAll<HTMLSelectElement>("select[data-filter]:not([data-filter=period])")) {
      const chosen = this.state.filters.filters?.find((f) => f.field === select.dataset.filter && f.op === "equals")?.value ?? "";
      if (chosen && ![...select.options].some((o) => o.value === chosen)) select.append(new Option(chosen, chosen));
      select.value = chosen;
    }
  }

  /** A refused call: an ended session shows one banner and tells the host; other errors show on the page. */
  failed(res: { status: number; code: string; message: string }) {
    if (res.status === 401) this.endSession(res.code, res.message);
    else this.alert(res.message, "alert-error");
  }

  /** The session ended (expired, revoked): one banner, no data left on screen, and the host is told. */
  endSession(code: string, message: string) {
    if (this.ended) return;
    this.ended = true;
    for (const body of this.root.querySelectorAll(".widget-body, .ask-answers")) {
      const note = document.createElement("div");
      note.className = "empty";
      note.textContent = "This session has ended.";
      body.replaceChildren(note);
    }
    const alert = this.alert(message, "alert-error");
    alert.dataset.testid = "embed-session-error";
    alert.dataset.enclaveError = code;
    this.host?.post(code === "session_expired" ? "expired" : "error", { code });
  }

  alert(message: string, kind: string): HTMLElement {
    const slot = this.root.querySelector(".embed-alerts")!;
    slot.replaceChildren();
    const div = document.createElement("div");
    div.className = `alert ${kind}`;
    div.setAttribute("role", "alert");
    div.textContent = message;
    slot.append(div);
    return div;
  }
}

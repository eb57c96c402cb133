import { t, type MessageKey } from "@/lib/embed/messages";
import type { Dashboard } from "./dashboard";
import { h } from "./dom";
import type { DashboardFilters, SavedAnswer } from "./types";

// The "Views" control: save the current filters, drill-downs and answers under
// a name (optionally shared with the tenant's team); open, rename, share and
// delete. Opening shows what the server changed to fit this session. Hidden
// when the session may not save and has nothing to open. The server decides
// everything; this only asks and shows.

type ViewSummary = { id: string; name: string; shared: boolean; owned: boolean };
type Notice = { code: string; message: string };
type Opened = { view: ViewSummary; state: { filters: DashboardFilters; widgets: Record<string, { breakdown?: string }>; ai_answers: SavedAnswer[] }; notices: Notice[] };

type UiState = {
  views?: ViewSummary[];
  canSave: boolean;
  expanded: boolean;
  busy?: string;
  error?: string;
  status?: string;
  opened?: { name: string; notices: Notice[] };
  renaming?: string;
  confirming?: string;
};

/** Only what a view stores of an answer, with ids made unique. */
function savedAnswers(answers: SavedAnswer[]): SavedAnswer[] {
  const seen = new Set<string>();
  return answers.map(({ id, question, spec }, i) => {
    const unique = seen.has(id) ? `${id.slice(0, 56)}-${i}` : id;
    seen.add(unique);
    return { id: unique, question, spec };
  });
}

export function installViews(d: Dashboard, onOpen: (answers: SavedAnswer[]) => void) {
  const slot = d.root.querySelector<HTMLElement>(".views");
  if (!slot) return;
  const ui: UiState = { canSave: false, expanded: false };
  const say = (key: MessageKey, vars?: Record<string, string | number>) => t(d.config.locale, key, vars);
  const at = (id: string) => `/api/embed/views/${encodeURIComponent(id)}`;
  let nameInput = "";
  let shareInput = false;

  async function run<T>(progress: string, call: () => ReturnType<typeof d.api.call<T>>, done: (body: T) => void) {
    Object.assign(ui, { busy: progress, error: undefined, status: undefined });
    draw();
    const res = await call();
    ui.busy = undefined;
    if (res.ok) done(res.body);
    else if (res.status === 401) d.failed(res);
    else ui.error = res.message;
    draw();
    return res.ok;
  }

  const list = async () => {
    const res = await d.api.call<{ views: ViewSummary[]; can_save: boolean }>("GET", "/api/embed/views");
    if (res.ok) Object.assign(ui, { views: res.body.views, canSave: res.body.can_save });
    draw();
  };

  function save(event: Event) {
    event.preventDefault();
    const widgets = Object.fromEntries(Object.entries(d.state.breakdowns).map(([id, breakdown]) => [id, { breakdown }]));
    const state = { filters: d.state.filters, widgets, ai_answers: savedAnswers(d.answers) };
    void run<{ view: ViewSummary }>(say("views.saving"), () => d.api.call("POST", "/api/embed/views", { name: nameInput, state, shared: shareInput }), ({ view }) => {
      ui.views = [view, ...(ui.views ?? [])];
      nameInput = "";
      shareInput = false;
      ui.status = say("views.saved", { name: view.name });
    });
  }

  function open(view: ViewSummary) {
    void run<Opened>(say("views.opening", { name: view.name }), () => d.api.call("GET", at(view.id)), (body) => {
      const breakdowns = Object.fromEntries(Object.entries(body.state.widgets).flatMap(([id, w]) => (w.breakdown ? [[id, w.breakdown]] : [])));
      d.state = { filters: body.state.filters, breakdowns };
      d.drills = [];
      d.syncControls();
      void d.render();
      d.host?.post("filter-change", { filters: d.state.filters });
      onOpen(body.state.ai_answers ?? []);
      ui.opened = { name: body.view.name, notices: body.notices };
      ui.expanded = false;
    });
  }

  const replace = (next: ViewSummary) => (ui.views = ui.views?.map((x) => (x.id === next.id ? next : x)));

  function item(v: ViewSummary): HTMLElement {
    const busy = Boolean(ui.busy);
    const renaming = ui.renaming === v.id;
    let renameTo = v.name;
    const opener = renaming
      ? h(
          "form",
          {
            class: "view-rename",
            onsubmit: (e: Event) => {
              e.preventDefault();
              void run<{ view: ViewSummary }>(say("views.renaming"), () => d.api.call("PATCH", at(v.id), { name: renameTo }), ({ view }) => {
                replace(view);
                ui.renaming = undefined;
              });
            },
          },
          (() => {
            const input = h("input", { value: v.name, maxlength: 100, "aria-label": say("views.rename_to", { name: v.name }), "data-testid": "view-rename-input", oninput: (e: Event) => (renameTo = (e.target as HTMLInputElement).value) });
            queueMicrotask(() => input.focus());
            return input;
          })(),
          h("button", { type: "submit", class: "btn btn-sm btn-primary", disabled: busy }, say("views.save")),
          h("button", { type: "button", class: "btn btn-sm btn-ghost", onclick: () => ((ui.renaming = undefined), draw()) }, say("views.cancel")),
        )
      : h("button", { type: "button", class: "btn btn-sm btn-ghost view-open", disabled: busy, "aria-label": say("views.open", { name: v.name }), "data-testid": "view-open", title: v.name, onclick: () => open(v) }, h("span", { class: "view-open-name" }, v.name));
    const actions =
      ui.canSave && v.owned && !renaming
        ? h(
            "span",
            { class: "view-actions" },
            h("button", { type: "button", class: "btn btn-sm btn-ghost", disabled: busy, "aria-label": say("views.rename_label", { name: v.name }), onclick: () => ((ui.renaming = v.id), draw()) }, say("views.rename")),
            h(
              "button",
              { type: "button", class: "btn btn-sm btn-ghost", disabled: busy, "aria-label": say(v.shared ? "views.unshare_label" : "views.share_label", { name: v.name }), onclick: () => void run<{ view: ViewSummary }>(say(v.shared ? "views.unsharing" : "views.sharing"), () => d.api.call("PATCH", at(v.id), { shared: !v.shared }), ({ view }) => replace(view)) },
              say(v.shared ? "views.unshare" : "views.share"),
            ),
            ui.confirming === v.id
              ? h(
                  "span",
                  { role: "group", "aria-label": say("views.delete_confirm", { name: v.name }), class: "view-confirm" },
                  h("button", { type: "button", class: "btn btn-sm btn-danger", disabled: busy, "data-testid": "view-delete-confirm", onclick: () => void run(say("views.deleting"), () => d.api.call("DELETE", at(v.id)), () => (ui.views = ui.views?.filter((x) => x.id !== v.id))) }, say("views.delete")),
                  h("button", { type: "button", class: "btn btn-sm btn-ghost", onclick: () => ((ui.confirming = undefined), draw()) }, say("views.keep")),
                )
              : h("button", { type: "button", class: "btn btn-sm btn-ghost", disabled: busy, "aria-label": say("views.delete_label", { name: v.name }), "data-testid": "view-delete", onclick: () => ((ui.confirming = v.id), draw()) }, say("views.delete")),
          )
        : null;
    return h("li", { "data-testid": "view-item", "data-view-id": v.id }, opener, v.shared && h("span", { class: "badge" }, say(v.owned ? "views.shared" : "views.shared_with_you")), actions);
  }

  function panel(): HTMLElement {
    const busy = Boolean(ui.busy);
    const saveButton = h("button", { type: "submit", class: "btn btn-sm btn-primary", disabled: busy || !nameInput.trim(), "data-testid": "view-save" }, say("views.save_view"));
    const form =
      ui.canSave &&
      h(
        "form",
        { class: "views-save", "aria-label": say("views.save_form"), onsubmit: save },
        h("label", { class: "filter" }, h("span", {}, say("views.name")), h("input", { value: nameInput, maxlength: 100, placeholder: say("views.name_placeholder"), "data-testid": "view-name", oninput: (e: Event) => ((nameInput = (e.target as HTMLInputElement).value), (saveButton.disabled = busy || !nameInput.trim())) })),
        h("label", { class: "check" }, h("input", { type: "checkbox", checked: shareInput, "data-testid": "view-share", onchange: (e: Event) => (shareInput = (e.target as HTMLInputElement).checked) }), ` ${say("views.share_with_team")}`),
        saveButton,
      );
    const views = ui.views ?? [];
    return h(
      "div",
      { id: panelId, class: "card views-panel", role: "region", "aria-label": say("views.region"), "data-testid": "views-panel" },
      form || null,
      ui.busy && h("p", { class: "muted views-line", role: "status" }, ui.busy),
      ui.status && h("p", { class: "views-line", role: "status", "data-testid": "views-status" }, ui.status),
      ui.error && h("p", { class: "field-error views-line", role: "alert", "data-testid": "views-error" }, ui.error),
      views.length === 0 ? h("p", { class: "muted views-line" }, say("views.none")) : h("ul", { class: "views-list", "aria-label": say("views.list") }, ...views.map(item)),
    );
  }

  const panelId = `views-panel-${Math.random().toString(36).slice(2, 8)}`;
  function draw() {
    const focused = document.activeElement?.getAttribute("data-testid");
    const views = ui.views;
    if (!views || (!ui.canSave && views.length === 0)) {
      slot!.replaceChildren();
      delete slot!.dataset.testid;
      return;
    }
    const toggle = h(
      "button",
      {
        type: "button",
        class: "btn btn-sm",
        "aria-expanded": String(ui.expanded),
        "aria-controls": panelId,
        "data-testid": "views-toggle",
        onclick: () => {
          if (!ui.expanded) void list();
          ui.expanded = !ui.expanded;
          draw();
        },
      },
      views.length ? say("views.toggle_count", { count: views.length }) : say("views.toggle"),
    );
    slot!.dataset.testid = "saved-views";
    slot!.replaceChildren(toggle, ...(ui.expanded ? [panel()] : []));
    const opened = ui.opened
      ? h(
          "div",
          { class: `views-opened alert ${ui.opened.notices.length ? "alert-warning" : "alert-success"}`, role: "status", "data-testid": "view-opened" },
          h(
            "div",
            { class: "views-opened-body" },
            `${say("views.showing", { name: ui.opened.name })}${ui.opened.notices.length ? ` ${say("views.adjusted")}` : ""}`,
            ui.opened.notices.length > 0 && h("ul", { "data-testid": "view-notices" }, ...ui.opened.notices.map((n) => h("li", { "data-code": n.code }, n.message))),
          ),
          h("button", { type: "button", class: "btn btn-sm btn-ghost", "aria-label": say("views.dismiss"), onclick: () => ((ui.opened = undefined), draw()) }, "×"),
        )
      : null;
    const head = d.root.querySelector(".embed-head")!;
    head.querySelector(".views-opened")?.remove();
    if (opened) head.append(opened);
    if (focused) (slot!.querySelector(`[data-testid="${focused}"]`) as HTMLElement | null)?.focus();
  }
  slot.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && ui.expanded) {
      ui.expanded = false;
      draw();
    }
  });
  void list();
}

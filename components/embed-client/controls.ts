import { t } from "@/lib/embed/messages";
import type { Dashboard } from "./dashboard";
import { choosePeriod, installDates } from "./dates";
import type { Filter } from "./types";

// The filter bar, drill-downs and CSV buttons, wired by delegation on the
// dashboard's root, so cards the server re-renders need no rewiring.

export function installControls(d: Dashboard) {
  d.root.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement)) return;
    if (select.dataset.filter === "period") {
      choosePeriod(d, select);
    } else if (select.dataset.filter) {
      const field = select.dataset.filter;
      const rest: Filter[] = (d.state.filters.filters ?? []).filter((f) => f.field !== field);
      d.setFilters({ ...d.state.filters, filters: select.value ? [...rest, { field, op: "equals", value: select.value }] : rest });
    } else if (select.classList.contains("drill") && select.dataset.widget) {
      d.state = { ...d.state, breakdowns: { ...d.state.breakdowns, [select.dataset.widget]: select.value } };
      void d.render([select.dataset.widget]);
    }
  });

  d.root.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>("button.export[data-widget]") : null;
    if (button) void exportCsv(d, button.dataset.widget!, button);
  });

  installDates(d);
  void loadFilterOptions(d);
}

/** Dropdown values for the dashboard's dimension filters, scoped like every other read. */
async function loadFilterOptions(d: Dashboard) {
  await Promise.all(
    d.config.dimensionFilters.map(async (dim) => {
      const select = d.root.querySelector<HTMLSelectElement>(`select[data-filter="${CSS.escape(dim.id)}"]`);
      if (!select) return;
      const res = await d.api.call<{ values: { value: string }[] }>("POST", "/api/embed/filter-values", { dimension: dim.id, limit: 200 });
      if (!res.ok) return;
      const current = select.value;
      select.replaceChildren(new Option(t(d.config.locale, "filters.all"), ""), ...res.body.values.map((v) => new Option(v.value, v.value)));
      if (current && !res.body.values.some((v) => v.value === current)) select.append(new Option(current, current));
      select.value = current;
    }),
  );
}

async function exportCsv(d: Dashboard, widgetId: string, button: HTMLButtonElement) {
  button.disabled = true;
  try {
    const breakdown = d.state.breakdowns[widgetId];
    const res = await d.api.raw("/api/embed/export", { widget_id: widgetId, filters: { ...d.state.filters, ...(breakdown ? { breakdown } : {}) } });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      d.failed({ status: res.status, code: body?.error?.code ?? "error", message: body?.error?.message ?? t(d.config.locale, "export.failed") });
      return;
    }
    const title = d.card(widgetId)?.querySelector("h2")?.textContent ?? "export";
    const url = URL.createObjectURL(await res.blob());
    const a = Object.assign(document.createElement("a"), { href: url, download: `${title}.csv` });
    a.click();
    URL.revokeObjectURL(url);
  } finally {
    button.disabled = false;
  }
}

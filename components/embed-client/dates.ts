import type { Dashboard } from "./dashboard";

// The filter bar's dates (components/dashboard/page/date-controls.ts draws
// them). "Custom range…" shows two date inputs and Apply; each input's
// min/max follows the other's value, so a span stays within the session's
// max_date_range_days and ends no later than today in the dashboard's zone.
// The server enforces the same bound whatever is sent. The compare toggle
// asks time series for the period before.

const addDays = (date: string, days: number) => {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const rangeForm = (d: Dashboard) => d.root.querySelector<HTMLFormElement>("form[data-custom-range]");
const field = (form: HTMLFormElement, end: "from" | "to") => form.querySelector<HTMLInputElement>(`input[data-range="${end}"]`)!;
const maxDays = (form: HTMLFormElement) => Number(form.dataset.maxDays) || undefined;

/** Each input's bounds from the other's value: `to` within [from, from + max - 1] and not after today; `from` within [to - max + 1, to]. */
function syncBounds(form: HTMLFormElement) {
  const [from, to] = [field(form, "from"), field(form, "to")];
  const max = maxDays(form);
  const today = form.dataset.today ?? "";
  const latest = max && DATE.test(from.value) ? addDays(from.value, max - 1) : today;
  to.min = DATE.test(from.value) ? from.value : "";
  to.max = latest < today ? latest : today;
  from.max = DATE.test(to.value) ? to.value : today;
  from.min = max && DATE.test(to.value) ? addDays(to.value, -(max - 1)) : "";
}

/** The Period select changed: a preset applies at once; "Custom range…" shows the inputs and waits for Apply. */
export function choosePeriod(d: Dashboard, select: HTMLSelectElement) {
  const form = rangeForm(d);
  if (select.value === "custom") {
    if (!form) return;
    form.hidden = false;
    field(form, "from").focus();
    return;
  }
  if (form) form.hidden = true;
  d.setFilters({ ...d.state.filters, time_range: { kind: select.value } });
}

export function installDates(d: Dashboard) {
  const form = rangeForm(d);
  if (form) {
    form.addEventListener("input", () => syncBounds(form));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      syncBounds(form);
      if (!form.reportValidity()) return;
      d.setFilters({ ...d.state.filters, time_range: { kind: "absolute", from: field(form, "from").value, to: field(form, "to").value } });
    });
  }
  d.root.addEventListener("change", (event) => {
    const box = event.target;
    if (box instanceof HTMLInputElement && box.dataset.filter === "compare") d.setFilters({ ...d.state.filters, compare: box.checked });
  });
}

/** The bar shows the state's period (a custom range within the bound, as the server reads it) and the compare toggle. */
export function syncDates(d: Dashboard) {
  const range = d.state.filters.time_range;
  const select = d.root.querySelector<HTMLSelectElement>('select[data-filter="period"]');
  const form = rangeForm(d);
  if (select && range) select.value = range.kind === "absolute" ? "custom" : range.kind;
  if (form && range) {
    form.hidden = range.kind !== "absolute";
    if (range.kind === "absolute" && range.from && range.to) {
      const max = maxDays(form);
      // A longer range (sent by a host) is read as its last `max` days: show those.
      const from = max && range.from < addDays(range.to, -(max - 1)) ? addDays(range.to, -(max - 1)) : range.from;
      field(form, "from").value = from;
      field(form, "to").value = range.to;
      syncBounds(form);
    }
  }
  const compare = d.root.querySelector<HTMLInputElement>('input[data-filter="compare"]');
  if (compare) compare.checked = d.state.filters.compare === true;
}

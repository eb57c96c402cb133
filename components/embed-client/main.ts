import { installAsk } from "./ask";
import { installControls } from "./controls";
import { Dashboard } from "./dashboard";
import { t } from "@/lib/embed/messages";
import { installDrill } from "./drill";
import { installTableHints } from "./table-hints";
import { applyTheme, HostBridge } from "./host";
import { installSessionClock } from "./session";
import { installTooltips } from "./tooltip";
import type { ClientConfig, DashboardFilters } from "./types";
import { installViews } from "./views";

// The dashboard page's script: everything interactive, nothing drawn. It
// loads after the server-rendered page has painted. Each dashboard root on the
// page (the admin's side-by-side preview shows two) has its settings in the
// JSON script right after it.

function start(root: HTMLElement, config: ClientConfig) {
  const host = config.mode === "embed" ? new HostBridge(config.origins) : undefined;
  const d = new Dashboard(root, config, host);
  installControls(d);
  installDrill(d);
  installTableHints(root, t(config.locale, "table.scroll_hint"));
  // Cards that failed on the first paint, and late cards streamed in after it.
  d.syncCardErrors();
  document.addEventListener("enclave:widget", () => d.syncCardErrors());
  installTooltips(root);
  installSessionClock(d);
  const ask = installAsk(d);
  if (config.mode === "embed") installViews(d, (answers) => void ask.reopen(answers));
  if (host) {
    // The host may set the theme, and restore filters after rotating to a new session.
    host.listen((message) => {
      if (message.type === "set-theme") applyTheme(message.theme);
      else if (message.filters && typeof message.filters === "object") d.setFilters(message.filters as DashboardFilters, false);
    });
    host.post("ready");
  }
  // Everything is wired: tests (and curious hosts) can tell a page that is still only painted from one that reacts.
  root.dataset.enclaveReady = "true";
}

for (const root of document.querySelectorAll<HTMLElement>("[data-enclave-root]")) {
  const script = root.nextElementSibling;
  if (!(script instanceof HTMLScriptElement) || !script.hasAttribute("data-enclave-config")) continue;
  try {
    start(root, JSON.parse(script.textContent ?? "") as ClientConfig);
  } catch (err) {
    console.error("enclave: the dashboard could not start", err);
  }
}

import { installAsk } from "./ask";
import { installControls } from "./controls";
import { Dashboard } from "./dashboard";
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

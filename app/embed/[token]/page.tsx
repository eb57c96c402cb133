import type { Metadata } from "next";
import { EmbedDashboard } from "@/components/dashboard/embed-dashboard";
import { RefusalBridge } from "@/components/dashboard/refusal-bridge";
import { openEmbed } from "@/lib/embed/open-embed";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dashboard", referrer: "no-referrer", robots: { index: false } };

type Props = { params: Promise<{ token: string }> };

// The theme comes from the host (URL fragment or postMessage), not from the
// admin console's saved preference on this origin; set it before first paint.
const themeFromHash = `(function(){var h=new URLSearchParams(location.hash.slice(1));var t=h.get("theme");document.documentElement.dataset.theme=t==="dark"?"dark":"light"})();`;

// proxy.ts has verified the signature and set the framing headers; this page
// checks the session (revoked, expired, spent) and renders with the session's
// scope. Refusals show no data and no dashboard metadata.
export default async function EmbedPage({ params }: Props) {
  const { token } = await params;
  let decoded = "";
  try {
    decoded = decodeURIComponent(token);
  } catch {
    // a malformed %-sequence is an invalid token
  }
  const view = await openEmbed(decoded);
  if (!view.ok) {
    return (
      <main className="embed-error" data-enclave-error={view.code}>
        <script dangerouslySetInnerHTML={{ __html: themeFromHash }} />
        <meta name="enclave-error" content={view.code} />
        <p>{view.message}</p>
        <RefusalBridge code={view.code} origins={view.origins} />
      </main>
    );
  }
  const { ok: _ok, ...rest } = view;
  void _ok;
  return (
    <>
      <script dangerouslySetInnerHTML={{ __html: themeFromHash }} />
      <EmbedDashboard view={rest} />
    </>
  );
}

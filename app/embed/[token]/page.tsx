import type { Metadata } from "next";
import { EmbedDashboard } from "@/components/dashboard/embed-dashboard";
import { openEmbed } from "@/lib/embed/open-embed";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dashboard", referrer: "no-referrer", robots: { index: false } };

type Props = { params: Promise<{ token: string }> };

// proxy.ts has verified the signature and set the framing headers; this page
// checks the session (revoked, expired, spent) and renders with the session's
// scope. Refusals show no data and no dashboard metadata.
export default async function EmbedPage({ params }: Props) {
  const { token } = await params;
  const view = await openEmbed(decodeURIComponent(token));
  if (!view.ok) {
    return (
      <main className="embed-error" data-enclave-error={view.code}>
        <meta name="enclave-error" content={view.code} />
        <p>{view.message}</p>
      </main>
    );
  }
  const { ok: _ok, ...rest } = view;
  void _ok;
  return <EmbedDashboard view={rest} />;
}

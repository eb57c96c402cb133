import type { Metadata } from "next";
import { CodeSnippet } from "@/components/admin/code-snippet";
import { DashboardHeader } from "@/components/admin/dashboard-header";
import { OriginsEditor, TestSessionMinter } from "@/components/admin/embed-tab";
import { requirePage } from "@/lib/auth/admin-session";
import { orNotFound } from "@/lib/or-not-found";
import { getAllowedOrigins } from "@/lib/dashboards/allowed-origins";
import { getDraft } from "@/lib/dashboards/drafts";
import { getEnv } from "@/lib/env";
import { mintableWidgets } from "@/lib/embed/mintable-widgets";
import { listTenantsForAdmin } from "@/lib/query/cross-tenant";
import { mintTestSessionAction, saveOriginsAction } from "./actions";

export const metadata: Metadata = { title: "Embed" };

type Props = { params: Promise<{ id: string }> };

export default async function EmbedTabPage({ params }: Props) {
  const { id } = await params;
  const admin = await requirePage("/admin/dashboards/[id]/embed", `/admin/dashboards/${id}/embed`);
  const [draft, origins, tenants, widgets] = await orNotFound(
    Promise.all([getDraft(id), getAllowedOrigins(id), listTenantsForAdmin({ kind: "admin", admin }, { limit: 200 }), mintableWidgets(id)]),
  );
  const appUrl = getEnv().appUrl;
  const backend = `curl -s ${appUrl}/v1/embed-sessions \\
  -H "Authorization: Bearer $ENCLAVE_KEY" -H 'content-type: application/json' \\
  -d '{"tenant_id":"<your customer id>","dashboard_id":"${id}","expires_in":3600}'`;
  const node = `const r = await fetch("${appUrl}/v1/embed-sessions", {
  method: "POST",
  headers: { Authorization: \`Bearer \${process.env.ENCLAVE_KEY}\`, "Content-Type": "application/json" },
  body: JSON.stringify({ tenant_id: req.user.orgId, dashboard_id: "${id}" }),
});
res.json(await r.json()); // { embed_url, token, session_id, expires_at }`;
  const runtime = `<div id="analytics"></div>
<script src="${appUrl}/enclave-embed.js"></script>
<script>
  Enclave.mount(document.getElementById("analytics"), {
    fetchToken: () => fetch("/api/enclave-session", { method: "POST" }).then((r) => r.json()),
    theme: { mode: "light" },
    onEvent: (e) => console.log(e.type),
  });
</script>`;
  const react = `<EnclaveEmbed
  runtimeUrl="${appUrl}/enclave-embed.js"
  fetchToken={() => fetch("/api/enclave-session", { method: "POST" }).then((r) => r.json())}
/>`;
  return (
    <>
      <DashboardHeader id={id} current="embed" role={admin.role} title={`${draft.name}: embed`}>
        Dashboard id <code>{id}</code>. Your backend mints a session per customer with an API key (scope embed); the page mounts it.
      </DashboardHeader>
      <OriginsEditor origins={origins} saveOrigins={saveOriginsAction.bind(null, id)} />
      <TestSessionMinter tenants={tenants.map((t) => t.tenant_id)} origins={origins} widgets={widgets} adminOrigin={new URL(appUrl).origin} mint={mintTestSessionAction.bind(null, id)} />
      <div className="card">
        <h2>Snippets</h2>
        <ol className="snippet-steps">
          <li>
            <h3>Your backend mints a session for the signed-in customer</h3>
            <h4>curl</h4>
            <CodeSnippet code={backend} name="curl" />
            <h4>or Node</h4>
            <CodeSnippet code={node} name="Node" />
          </li>
          <li>
            <h3>Your page mounts the embed with it</h3>
            <h4>HTML</h4>
            <CodeSnippet code={runtime} name="HTML" />
            <h4>or React</h4>
            <CodeSnippet code={react} name="React" />
          </li>
        </ol>
      </div>
    </>
  );
}

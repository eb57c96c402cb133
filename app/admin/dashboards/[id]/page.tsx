import type { Metadata } from "next";
import { DashboardHeader } from "@/components/admin/dashboard-header";
import { Designer } from "@/components/designer/designer";
import { requirePage } from "@/lib/auth/admin-session";
import { orNotFound } from "@/lib/or-not-found";
import { getDraft } from "@/lib/dashboards/drafts";
import { getCatalog } from "@/lib/query/catalog-tables";
import { listPropertyKeysForAdmin, listTenantsForAdmin } from "@/lib/query/cross-tenant";

export const metadata: Metadata = { title: "Designer" };

type Props = { params: Promise<{ id: string }> };

export default async function DesignerPage({ params }: Props) {
  const { id } = await params;
  const admin = await requirePage("/admin/dashboards/[id]", `/admin/dashboards/${id}`);
  const [draft, propertyKeys, tenants] = await orNotFound(Promise.all([getDraft(id), listPropertyKeysForAdmin({ kind: "admin", admin }), listTenantsForAdmin({ kind: "admin", admin }, { limit: 200 })]));
  return (
    <>
      <DashboardHeader id={draft.id} current="designer" role={admin.role} />
      <Designer
        id={draft.id}
        initialName={draft.name}
        initialRevision={draft.revision}
        initialDefinition={draft.definition}
        liveVersion={draft.liveVersion}
        propertyKeys={propertyKeys}
        catalogTables={getCatalog().tables.map((t) => ({ name: t.name, columns: Object.keys(t.columns).filter((c) => c !== t.tenantColumn) }))}
        tenants={tenants.map((t) => t.tenant_id)}
        timezones={["UTC", ...Intl.supportedValuesOf("timeZone").filter((tz) => tz !== "UTC")]}
      />
    </>
  );
}

// Teammates' roles in the admin console, from least to most:
//   viewer  reads dashboards, drafts included (list, versions, export), and previews
//           them as any tenant, asking questions there (logged like anyone's);
//   editor  also designs, publishes and rolls back dashboards,
//           sets their allowed origins, mints test sessions and reviews AI answers;
//   owner   everything: API keys, teammates and invites, tenants' sessions, the audit log.
// Every server action, admin route and admin page states the role it needs
// (ROLE_NEEDED); the signed-in teammate's role is read from the database on
// each request (lib/auth/admin-session.ts), so a demotion or removal takes effect
// on the next click. roles.test.ts calls every server action and admin route as
// every role and holds them to this table. API keys keep their scopes.

export const ROLES = ["viewer", "editor", "owner"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` may do what `needed` may. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export const ROLE_LABEL: Record<Role, string> = { viewer: "Viewer", editor: "Editor", owner: "Owner" };

/** "a viewer", "an editor", "an owner". */
export function aRole(role: Role): string {
  const word = ROLE_LABEL[role].toLowerCase();
  return `${/^[aeiou]/.test(word) ? "an" : "a"} ${word}`;
}

/** Why `role` may not do something that needs `needed`, in words. */
export function roleRefusal(role: Role, needed: Role, what = "This"): string {
  return `${what} needs the ${ROLE_LABEL[needed].toLowerCase()} role or above; you are ${aRole(role)}. An owner of this workspace can change your role on the Team page.`;
}

export const ROLE_SUMMARY: Record<Role, string> = {
  viewer: "Reads dashboards, drafts included, and previews them as any tenant.",
  editor: "Designs, previews, publishes and rolls back dashboards; reviews AI answers.",
  owner: "Everything, including API keys, teammates, tenants' sessions and the audit log.",
};

/** The role each server action ("file#export"), admin route ("file#METHOD") and admin page (its path) needs. */
export const ROLE_NEEDED = {
  actions: {
    "app/admin/ai/actions.ts#decideAction": "editor",
    "app/admin/ai/actions.ts#addAction": "editor",
    "app/admin/dashboards/actions.ts#createDashboardAction": "editor",
    "app/admin/dashboards/actions.ts#duplicateDashboardAction": "editor",
    "app/admin/dashboards/actions.ts#archiveDashboardAction": "editor",
    "app/admin/dashboards/actions.ts#importDashboardAction": "editor",
    "app/admin/dashboards/[id]/actions.ts#saveDraftAction": "editor",
    "app/admin/dashboards/[id]/actions.ts#validateSqlAction": "editor",
    "app/admin/dashboards/[id]/actions.ts#previewWidgetAction": "editor",
    "app/admin/dashboards/[id]/embed/actions.ts#saveOriginsAction": "editor",
    "app/admin/dashboards/[id]/embed/actions.ts#mintTestSessionAction": "editor",
    "app/admin/dashboards/[id]/preview/actions.ts#adminAskAction": "viewer",
    "app/admin/dashboards/[id]/preview/actions.ts#adminSuggestAction": "editor",
    "app/admin/dashboards/[id]/versions/actions.ts#publishAction": "editor",
    "app/admin/dashboards/[id]/versions/actions.ts#rollbackAction": "editor",
    "app/admin/tenants/actions.ts#revokeTenantSessionsAction": "owner",
    "app/admin/keys/actions.ts#createKeyAction": "owner",
    "app/admin/keys/actions.ts#revokeKeyAction": "owner",
    "app/admin/team/actions.ts#inviteAction": "owner",
    "app/admin/team/actions.ts#revokeInviteAction": "owner",
    "app/admin/team/actions.ts#changeRoleAction": "owner",
    "app/admin/team/actions.ts#removeTeammateAction": "owner",
  },
  routes: {
    "app/admin/audit/export/route.ts#GET": "owner",
    "app/admin/dashboards/[id]/export/route.ts#GET": "viewer",
  },
  pages: {
    "/admin": "viewer",
    "/admin/dashboards": "viewer",
    "/admin/dashboards/[id]": "editor",
    "/admin/dashboards/[id]/embed": "editor",
    "/admin/dashboards/[id]/preview": "viewer",
    "/admin/dashboards/[id]/versions": "viewer",
    "/admin/keys": "owner",
    "/admin/tenants": "editor",
    "/admin/ai": "editor",
    "/admin/audit": "owner",
    "/admin/team": "owner",
  },
} as const satisfies { actions: Record<string, Role>; routes: Record<string, Role>; pages: Record<string, Role> };

/** Server actions that take no session: their own credential is checked instead (an invite link's token). */
export const PUBLIC_ACTIONS = ["app/invite/[token]/actions.ts#acceptInviteAction"] as const;

export type AdminPage = keyof typeof ROLE_NEEDED.pages;
export type AdminAction = keyof typeof ROLE_NEEDED.actions;
export type AdminRoute = keyof typeof ROLE_NEEDED.routes;

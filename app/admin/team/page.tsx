import type { Metadata } from "next";
import { RevokeInviteButton, InviteForm, TeammateControls } from "@/components/admin/team-forms";
import { requirePage } from "@/lib/auth/admin-session";
import { ROLE_LABEL } from "@/lib/auth/roles";
import { INVITE_DAYS, listTeam } from "@/lib/auth/team";
import { formatDateTime } from "@/lib/format";
import { changeRoleAction, inviteAction, removeTeammateAction, revokeInviteAction } from "./actions";

export const metadata: Metadata = { title: "Team" };

export default async function TeamPage() {
  const admin = await requirePage("/admin/team", "/admin/team");
  const { teammates, invites } = await listTeam();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Team</h1>
          <p className="muted">Who can use this console, and what each can do. A change of role or a removal applies from the teammate&apos;s next click. API keys keep their own scopes.</p>
        </div>
      </div>
      <InviteForm action={inviteAction} days={INVITE_DAYS} />
      <div className="card table-wrap">
        <h2>Teammates</h2>
        <table className="table" data-testid="team-table">
          <thead>
            <tr><th>Name</th><th>Email</th><th>Role</th><th>Joined</th><th>Last sign-in</th><th /></tr>
          </thead>
          <tbody>
            {teammates.map((t) => (
              <tr key={t.id} data-teammate={t.email}>
                <td>{t.name}{t.id === admin.id && <span className="muted"> (you)</span>}</td>
                <td>{t.email}{t.sso && <div className="muted" data-testid="teammate-sso">signs in with single sign-on</div>}</td>
                <td><span className="badge">{ROLE_LABEL[t.role]}</span></td>
                <td>{formatDateTime(t.createdAt)}</td>
                <td>{t.lastLoginAt ? formatDateTime(t.lastLoginAt) : <span className="muted">never</span>}</td>
                <td><TeammateControls id={t.id} email={t.email} role={t.role} self={t.id === admin.id} changeRole={changeRoleAction} remove={removeTeammateAction} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card table-wrap">
        <h2>Pending invites</h2>
        {invites.length === 0 ? (
          <div className="empty">No pending invites.</div>
        ) : (
          <table className="table" data-testid="invites-table">
            <thead>
              <tr><th>Email</th><th>Role</th><th>Invited by</th><th>Expires</th><th /></tr>
            </thead>
            <tbody>
              {invites.map((i) => (
                <tr key={i.id} data-invite={i.email}>
                  <td>{i.email}</td>
                  <td>{ROLE_LABEL[i.role]}</td>
                  <td>{i.invitedBy.replace(/^admin:/, "")}</td>
                  <td>{formatDateTime(i.expiresAt)}</td>
                  <td><RevokeInviteButton id={i.id} action={revokeInviteAction} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}

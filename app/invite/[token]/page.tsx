import type { Metadata } from "next";
import { AcceptInviteForm } from "@/components/auth/accept-invite-form";
import { AuthCard } from "@/components/auth/auth-card";
import { LoginForm } from "@/components/auth/login-form";
import { LOGIN_ERRORS, signInMethods } from "@/lib/auth/options";
import { domainAllowed, ssoConfig } from "@/lib/auth/sso";
import { getEnv } from "@/lib/env";
import { ROLE_LABEL, ROLE_SUMMARY } from "@/lib/auth/roles";
import { readInvite } from "@/lib/auth/team";
import { formatDateTime } from "@/lib/format";
import { acceptInviteAction } from "./actions";

export const metadata: Metadata = { title: "Join the workspace" };

type Props = { params: Promise<{ token: string }> };

const GONE = {
  unknown: "This invite link is not valid: check that it was copied whole, or ask an owner of the workspace for a new one.",
  used: "This invite was used already. Sign in with the email it was for.",
  revoked: "This invite was withdrawn. Ask an owner of the workspace for a new one.",
  expired: "This invite has expired. Ask an owner of the workspace for a new one.",
} as const;

export default async function InvitePage({ params }: Props) {
  const { token } = await params;
  const invite = await readInvite(token);
  const methods = signInMethods();
  const sso = ssoConfig(getEnv());
  // Single sign-on with the invited address accepts the invite (lib/auth/sso.ts).
  const viaSso = invite.status === "valid" && sso && domainAllowed(invite.email, sso.allowedDomains) ? methods.sso : undefined;
  return (
    <AuthCard title="Join the workspace">
        {invite.status === "valid" ? (
          <>
            <p className="muted">
              You were invited as <strong>{invite.email}</strong>, with the <strong>{ROLE_LABEL[invite.role].toLowerCase()}</strong> role: {ROLE_SUMMARY[invite.role]} The invite works until {formatDateTime(invite.expiresAt)}.
            </p>
            {viaSso && (
              <>
                <p className="muted">Sign in with {viaSso.name} as {invite.email} to join{methods.password ? ", or choose a name and password below" : ""}.</p>
                <LoginForm callbackUrl="/admin" errors={LOGIN_ERRORS} password={false} sso={viaSso} />
              </>
            )}
            {methods.password ? (
              <div style={{ marginTop: viaSso ? "1.25rem" : 0 }}>
                <AcceptInviteForm action={acceptInviteAction.bind(null, token)} email={invite.email} />
              </div>
            ) : (
              !viaSso && (
                <p className="alert alert-error" role="alert" data-testid="invite-gone">
                  This console signs in through single sign-on only, and {invite.email} is not in a domain it admits. Ask an owner to invite your work address.
                </p>
              )
            )}
          </>
        ) : (
          <>
            <p className="alert alert-error" role="alert" data-testid="invite-gone">{GONE[invite.status]}</p>
            <a className="btn" href="/login">Go to sign-in</a>
          </>
        )}
    </AuthCard>
  );
}

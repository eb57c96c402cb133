import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { LoginForm } from "@/components/auth/login-form";
import { getAdmin } from "@/lib/auth/admin-session";
import { LOGIN_ERRORS, signInMethods } from "@/lib/auth/options";
import { safeCallbackPath } from "@/lib/safe-redirect";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<{ callbackUrl?: string; error?: string }> };

export default async function LoginPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await getAdmin()) redirect(callbackUrl);
  // Only known codes are shown; free text from the URL never is.
  const initialError = params.error ? (LOGIN_ERRORS[params.error as keyof typeof LOGIN_ERRORS] ?? "Sign-in failed. Try again.") : undefined;
  return (
    <AuthCard title="Sign in">
      <p className="muted">Admin console for dashboards, API keys and embeds.</p>
      <LoginForm callbackUrl={callbackUrl} initialError={initialError} errors={LOGIN_ERRORS} {...signInMethods()} />
    </AuthCard>
  );
}

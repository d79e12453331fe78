import { redirect } from "next/navigation";
import { signInMessage } from "~/server/auth/errors";
import { ROLE_HOME } from "~/server/auth/roles";
import { getSession } from "~/server/auth/session";
import { DEMO_LOGINS } from "~/prisma/demo-logins";
import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in · Affiliate platform" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const session = await getSession();
  if (session) redirect(ROLE_HOME[session.user.role]);
  const { error } = await searchParams;
  // Demo logins are a development aid: a production deployment never advertises credentials.
  const demo = process.env.NODE_ENV === "development" ? DEMO_LOGINS : undefined;
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <span className="grid h-10 w-10 place-items-center rounded-lg bg-indigo-600 text-sm font-bold text-white">AP</span>
          <h1 className="text-2xl font-semibold tracking-tight">Sign in to Affiliate Platform</h1>
          <p className="text-sm text-slate-500">Tracking, attribution and payouts</p>
        </div>
        <SignInForm initialError={error ? (signInMessage(error) ?? "Sign-in failed. Check your email and password.") : undefined} demo={demo} />
        <p className="mt-6 text-center text-sm text-slate-500">
          Want to promote our offers?{" "}
          <a href="/join" className="font-medium text-indigo-700 hover:underline">
            Apply to join the program
          </a>
        </p>
      </div>
    </main>
  );
}

import { createCaller } from "~/server/api/root";
import { createInnerContext } from "~/server/api/trpc";
import { SetPasswordForm } from "./set-password-form";

export const metadata = { title: "Set your password · Affiliate platform" };

/** Where one-time links lead: whom the link is for, or why it cannot be used. */
export default async function SetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token = "" } = await searchParams;
  const info = token.length >= 20 ? await createCaller(createInnerContext(null)).accounts.token({ token }) : null;
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <h1 className="mb-6 text-center text-2xl font-semibold tracking-tight">Set your password</h1>
        {info?.valid ? (
          <SetPasswordForm token={token} email={info.email} />
        ) : (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
            {info?.reason ?? "This link is not valid. Ask your program manager for a new one."}
          </p>
        )}
      </div>
    </main>
  );
}

import { JoinForm } from "./join-form";

export const metadata = { title: "Join the program · Affiliate platform" };

/** The program's public application page: anyone applies; a program manager approves or rejects. */
export default function JoinPage() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-xl">
        <div className="mb-8 text-center">
          <h1 className="text-2xl font-semibold tracking-tight">Apply to the affiliate program</h1>
          <p className="mt-1 text-sm text-slate-500">A program manager reviews every application. Once approved, you get a link to set your password.</p>
        </div>
        <JoinForm />
      </div>
    </main>
  );
}

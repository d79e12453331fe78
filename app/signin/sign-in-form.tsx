"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { WRONG_CREDENTIALS_MESSAGE, signInMessage } from "~/server/auth/errors";

interface Props {
  initialError?: string;
  demo?: { password: string; emails: readonly string[] };
}

export function SignInForm({ initialError, demo }: Props) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(initialError);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    const result = await signIn("credentials", { email, password, redirect: false });
    if (!result?.ok) {
      setPending(false);
      setError(!result || result.error === "CredentialsSignin" ? WRONG_CREDENTIALS_MESSAGE : (signInMessage(result.error) ?? "Sign-in failed; try again."));
      return;
    }
    // "/" sends each role to its own home.
    router.replace("/");
    router.refresh();
  }

  return (
    <div className="space-y-6">
      <form onSubmit={submit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" noValidate>
        <Field label="Email" type="email" autoComplete="email" value={email} onChange={setEmail} />
        <Field label="Password" type="password" autoComplete="current-password" value={password} onChange={setPassword} />
        {error && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
            {error}
          </p>
        )}
        <button
          type="submit"
          disabled={pending || !email || !password}
          className="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-60"
        >
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {demo && (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white/60 p-4 text-sm">
          <p className="mb-2 font-medium text-slate-700">Demo logins (development)</p>
          <ul className="space-y-1">
            {demo.emails.map((demoEmail) => (
              <li key={demoEmail}>
                <button
                  type="button"
                  className="text-indigo-700 hover:underline"
                  onClick={() => {
                    setEmail(demoEmail);
                    setPassword(demo.password);
                  }}
                >
                  {demoEmail}
                </button>
              </li>
            ))}
          </ul>
          <p className="mt-2 text-slate-500">
            Password: <code className="rounded bg-slate-100 px-1">{demo.password}</code>
          </p>
        </div>
      )}
    </div>
  );
}

function Field({ label, type, autoComplete, value, onChange }: { label: string; type: string; autoComplete: string; value: string; onChange: (value: string) => void }) {
  return (
    <label className="block">
      <span className="mb-1 block text-sm font-medium text-slate-700">{label}</span>
      <input
        type={type}
        name={type}
        autoComplete={autoComplete}
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className="w-full rounded-md border border-slate-300 px-3 py-2 text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/20"
      />
    </label>
  );
}

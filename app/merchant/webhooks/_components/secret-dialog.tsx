"use client";
// Shows a signing secret the one time the server hands it out (after create or rotate). Closing it forgets it.
import { CopyButton } from "~/components/ui/copy-button";

export function SecretDialog({ secret, note, onClose }: { secret: string; note?: string; onClose: () => void }) {
  return (
    <div className="fixed inset-0 z-50 grid place-items-center bg-slate-900/40 p-4">
      <div role="dialog" aria-modal="true" aria-labelledby="secret-title" className="w-full max-w-lg rounded-xl bg-white p-6 shadow-xl">
        <h2 id="secret-title" className="text-lg font-semibold text-slate-900">
          Signing secret
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Copy it now: it is shown only once. Verify each request with it (see “Verifying requests” below).
        </p>
        <div className="mt-4 flex items-center gap-2 rounded-md bg-slate-50 p-3 ring-1 ring-inset ring-slate-200">
          <code data-testid="webhook-secret" className="flex-1 break-all font-mono text-xs text-slate-900">
            {secret}
          </code>
          <CopyButton text={secret} label="Copy" />
        </div>
        {note && <p className="mt-3 text-sm text-amber-800">{note}</p>}
        <div className="mt-6 flex justify-end">
          <button type="button" onClick={onClose} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
            I have saved it
          </button>
        </div>
      </div>
    </div>
  );
}

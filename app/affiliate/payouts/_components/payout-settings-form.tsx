"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useEffect, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { FormMessage, LabeledInput, SubmitButton, inputClass, issuesByField } from "~/components/ui/form";
import { Badge, Card } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { formatMoney } from "~/server/money";
import { PAYOUT_METHOD_LABEL, payoutSettingsFormInput } from "~/server/payouts/details";

type Method = "PAYPAL" | "BANK_TRANSFER" | "WISE";
const EMPTY = {
  method: "PAYPAL" as Method,
  bankScheme: "IBAN" as "IBAN" | "ACCOUNT",
  wiseScheme: "EMAIL" as "EMAIL" | "RECIPIENT_ID",
  email: "",
  holder: "",
  iban: "",
  bic: "",
  accountNumber: "",
  routingNumber: "",
  recipientId: "",
  currency: "EUR",
  form: "W8BEN" as "W9" | "W8BEN",
  legalName: "",
  country: "",
  taxId: "",
  signedAt: new Date().toISOString().slice(0, 10),
};
type Form = typeof EMPTY;

function toInput(f: Form) {
  const details =
    f.method === "PAYPAL"
      ? { method: "PAYPAL" as const, email: f.email }
      : f.method === "BANK_TRANSFER"
        ? f.bankScheme === "IBAN"
          ? { method: "BANK_TRANSFER" as const, scheme: "IBAN" as const, holder: f.holder, iban: f.iban, bic: f.bic }
          : { method: "BANK_TRANSFER" as const, scheme: "ACCOUNT" as const, holder: f.holder, accountNumber: f.accountNumber, routingNumber: f.routingNumber }
        : f.wiseScheme === "EMAIL"
          ? { method: "WISE" as const, scheme: "EMAIL" as const, holder: f.holder, email: f.email }
          : { method: "WISE" as const, scheme: "RECIPIENT_ID" as const, holder: f.holder, recipientId: f.recipientId };
  return { details, currency: f.currency, tax: { form: f.form, legalName: f.legalName, country: f.country, taxId: f.taxId, signedAt: f.signedAt } };
}

export function PayoutSettingsForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.payouts.settings.queryOptions());
  const [form, setForm] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const s = settings.data;
    if (!s) return;
    const d = (s.details ?? {}) as Partial<Record<string, string>>;
    setForm({
      ...EMPTY,
      method: s.method,
      bankScheme: d.scheme === "ACCOUNT" ? "ACCOUNT" : "IBAN",
      wiseScheme: d.scheme === "RECIPIENT_ID" ? "RECIPIENT_ID" : "EMAIL",
      email: d.email ?? "",
      holder: d.holder ?? "",
      iban: d.iban ?? "",
      bic: d.bic ?? "",
      accountNumber: d.accountNumber ?? "",
      routingNumber: d.routingNumber ?? "",
      recipientId: d.recipientId ?? "",
      currency: s.currency,
      ...(s.tax ? { form: s.tax.form, legalName: s.tax.legalName, country: s.tax.country, signedAt: s.tax.signedAt } : {}),
    });
  }, [settings.data]);
  const save = useMutation(
    trpc.payouts.saveSettings.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        setForm((f) => ({ ...f, taxId: "" }));
        void queryClient.invalidateQueries({ queryKey: trpc.payouts.settings.queryKey() });
      },
      onError: (error) => setErrors(issuesByField(error)),
    }),
  );
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const input = toInput(form);
    const checked = payoutSettingsFormInput.safeParse(input);
    if (!checked.success) return setErrors(Object.fromEntries(checked.error.issues.map((i) => [i.path.join("."), i.message])));
    setErrors({});
    save.mutate(input);
  };
  const err = (key: string) => errors[`details.${key}`] ?? errors[key];

  return (
    <Card title="How you are paid">
      <QueryState query={settings}>
        {(s) => (
          <form onSubmit={submit} noValidate className="max-w-2xl space-y-5">
            <p className="text-sm" data-testid="payout-status">
              {s.blocker ? <Badge tone="amber">{`not payable: ${s.blocker}`}</Badge> : <Badge tone="green">payable</Badge>}
              <span className="ml-2 text-slate-500">
                Payouts: {s.policy.schedule} · commissions held about {s.policy.holdingDays} days first
                {Object.keys(s.policy.minimums).length > 0 &&
                  ` · minimum ${Object.entries(s.policy.minimums).map(([c, m]) => formatMoney(m, c)).join(", ")} (smaller balances carry over)`}
              </span>
            </p>
            <fieldset className="space-y-4">
              <legend className="text-sm font-semibold text-slate-800">Payout method</legend>
              <div className="grid gap-4 sm:grid-cols-2">
                <LabeledInput label="Method">
                  <select name="method" value={form.method} onChange={(e) => set({ method: e.target.value as Method })} className={inputClass}>
                    {(["PAYPAL", "BANK_TRANSFER", "WISE"] as const).map((m) => (
                      <option key={m} value={m}>
                        {PAYOUT_METHOD_LABEL[m]}
                      </option>
                    ))}
                  </select>
                </LabeledInput>
                <LabeledInput label="Payout currency" error={errors.currency} hint="The currency you receive; the provider converts.">
                  <input name="currency" value={form.currency} onChange={(e) => set({ currency: e.target.value.toUpperCase() })} className={inputClass} maxLength={3} />
                </LabeledInput>
              </div>
              {form.method === "PAYPAL" && <Field label="PayPal email" name="email" value={form.email} error={err("email")} onChange={(email) => set({ email })} />}
              {form.method === "BANK_TRANSFER" && (
                <>
                  <Scheme value={form.bankScheme} options={{ IBAN: "IBAN and BIC", ACCOUNT: "Account and routing number (US)" }} onChange={(bankScheme) => set({ bankScheme: bankScheme as Form["bankScheme"] })} />
                  <Field label="Account holder" name="holder" value={form.holder} error={err("holder")} onChange={(holder) => set({ holder })} />
                  {form.bankScheme === "IBAN" ? (
                    <div className="grid gap-4 sm:grid-cols-2">
                      <Field label="IBAN" name="iban" value={form.iban} error={err("iban")} onChange={(iban) => set({ iban })} />
                      <Field label="BIC" name="bic" value={form.bic} error={err("bic")} onChange={(bic) => set({ bic })} />
                    </div>
                  ) : (
                    <div className="grid gap-4 sm:grid-cols-2">
                      <Field label="Account number" name="accountNumber" value={form.accountNumber} error={err("accountNumber")} onChange={(accountNumber) => set({ accountNumber })} />
                      <Field label="Routing number" name="routingNumber" value={form.routingNumber} error={err("routingNumber")} onChange={(routingNumber) => set({ routingNumber })} />
                    </div>
                  )}
                </>
              )}
              {form.method === "WISE" && (
                <>
                  <Scheme value={form.wiseScheme} options={{ EMAIL: "Wise email", RECIPIENT_ID: "Wise recipient id" }} onChange={(wiseScheme) => set({ wiseScheme: wiseScheme as Form["wiseScheme"] })} />
                  <Field label="Name on the Wise account" name="holder" value={form.holder} error={err("holder")} onChange={(holder) => set({ holder })} />
                  {form.wiseScheme === "EMAIL" ? (
                    <Field label="Wise email" name="email" value={form.email} error={err("email")} onChange={(email) => set({ email })} />
                  ) : (
                    <Field label="Wise recipient id" name="recipientId" value={form.recipientId} error={err("recipientId")} onChange={(recipientId) => set({ recipientId })} />
                  )}
                </>
              )}
            </fieldset>
            <fieldset className="space-y-4">
              <legend className="text-sm font-semibold text-slate-800">Tax information</legend>
              <div className="grid gap-4 sm:grid-cols-2">
                <LabeledInput label="Tax form" error={errors["tax.form"]}>
                  <select name="taxForm" value={form.form} onChange={(e) => set({ form: e.target.value as Form["form"] })} className={inputClass}>
                    <option value="W9">W-9 (US person)</option>
                    <option value="W8BEN">W-8BEN (not a US person)</option>
                  </select>
                </LabeledInput>
                <Field label="Country (two letters)" name="country" value={form.country} error={errors["tax.country"]} onChange={(country) => set({ country: country.toUpperCase() })} />
              </div>
              <Field label="Legal name" name="legalName" value={form.legalName} error={errors["tax.legalName"]} onChange={(legalName) => set({ legalName })} />
              <div className="grid gap-4 sm:grid-cols-2">
                <Field
                  label="Tax identification number"
                  name="taxId"
                  value={form.taxId}
                  error={errors["tax.taxId"]}
                  placeholder={s.tax ? `${s.tax.taxIdMasked} on file — leave empty to keep` : "SSN/EIN or your country's TIN"}
                  onChange={(taxId) => set({ taxId })}
                />
                <LabeledInput label="Signature date" error={errors["tax.signedAt"]}>
                  <input name="signedAt" type="date" value={form.signedAt} onChange={(e) => set({ signedAt: e.target.value })} className={inputClass} />
                </LabeledInput>
              </div>
              <p className="text-xs text-slate-500">By saving, you certify the tax form's statements under penalties of perjury, signed on the date above.</p>
            </fieldset>
            <div className="flex items-center gap-4">
              <SubmitButton pending={save.isPending} label="Save payout settings" pendingLabel="Saving…" />
              {saved && <FormMessage tone="ok">Saved. The next payout run uses these details.</FormMessage>}
              {errors._ && <FormMessage tone="error">{errors._}</FormMessage>}
            </div>
          </form>
        )}
      </QueryState>
    </Card>
  );
}

function Field({ label, name, value, error, onChange, placeholder, hint }: { label: string; name: string; value: string; error?: string; onChange: (v: string) => void; placeholder?: string; hint?: ReactNode }) {
  return (
    <LabeledInput label={label} error={error} hint={hint}>
      <input name={name} value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} className={inputClass} />
    </LabeledInput>
  );
}

function Scheme({ value, options, onChange }: { value: string; options: Record<string, string>; onChange: (v: string) => void }) {
  return (
    <div className="flex gap-4 text-sm">
      {Object.entries(options).map(([key, label]) => (
        <label key={key} className="flex items-center gap-1.5">
          <input type="radio" checked={value === key} onChange={() => onChange(key)} /> {label}
        </label>
      ))}
    </div>
  );
}

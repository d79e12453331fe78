// Input rules for joining and accounts, shared by the tRPC routers and the forms (same messages on both sides).
// Plain zod: client components import this file.
import { z } from "zod";
import { destinationSchema } from "../links/schema";

const email = z.string().trim().toLowerCase().pipe(z.email({ error: "Enter a valid email address." })).pipe(z.string().max(254, { error: "An email has at most 254 characters." }));
const personName = z.string().trim().min(1, { error: "Name is required." }).max(100, { error: "A name has at most 100 characters." });
const id = z.string().min(1).max(100);

export const PASSWORD_MIN = 10;
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN, { error: `A password has at least ${PASSWORD_MIN} characters.` })
  .max(200, { error: "A password has at most 200 characters." });

const reason = z.string().trim().min(1, { error: "Give a reason." }).max(500, { error: "A reason has at most 500 characters." });

export const applyInput = z.object({
  name: personName,
  email,
  website: z
    .string()
    .trim()
    .min(1, { error: "Website or channel is required." })
    .max(300, { error: "At most 300 characters." })
    .pipe(z.url({ protocol: /^https?$/, error: "Enter the full address of your website or channel (https://…)." })),
  audience: z.string().trim().min(1, { error: "Describe your audience." }).max(2000, { error: "At most 2,000 characters." }),
  payoutCountry: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, { error: "Country: two letters (ISO 3166-1, e.g. DE, US)." }),
  termsAccepted: z.literal(true, { error: "Accept the program terms to apply." }),
});
export type ApplyInput = z.input<typeof applyInput>;

export const applicationListInput = z.object({ status: z.enum(["PENDING", "APPROVED", "REJECTED"]).default("PENDING") });
export const approveApplicationInput = z.object({ applicationId: id });
export const rejectApplicationInput = z.object({ applicationId: id, reason });

export const inviteInput = z.object({ name: personName, email });

export const tokenInput = z.object({ token: z.string().min(20).max(200) });
export const setPasswordInput = z
  .object({ token: z.string().min(20).max(200), password: passwordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], error: "The two passwords differ." });

export const changePasswordInput = z
  .object({ currentPassword: z.string().min(1, { error: "Enter your current password." }).max(200), newPassword: passwordSchema, confirm: z.string() })
  .refine((v) => v.newPassword === v.confirm, { path: ["confirm"], error: "The two passwords differ." })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ["newPassword"], error: "Choose a password different from the current one." });

export const createMerchantInput = z.object({
  merchantName: z.string().trim().min(1, { error: "Merchant name is required." }).max(100, { error: "At most 100 characters." }),
  defaultCurrency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, { error: "Currency: three letters (ISO 4217, e.g. EUR)." }),
  name: personName,
  email,
});

export const createManagerInput = z.object({ name: personName, email });

export const accountListInput = z.object({ search: z.string().trim().max(100).optional() });
export const resetAccessInput = z.object({ userId: id });

export const requestLinkInput = z.object({
  offerId: z.string().min(1, { error: "Choose an offer." }).max(100),
  destinationUrl: destinationSchema,
  note: z.string().trim().max(500, { error: "A note has at most 500 characters." }).default(""),
});
export const linkRequestListInput = z.object({ status: z.enum(["PENDING", "APPROVED", "REJECTED"]).default("PENDING") });
export const approveLinkRequestInput = z.object({ requestId: id });
export const rejectLinkRequestInput = z.object({ requestId: id, reason });

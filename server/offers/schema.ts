// Input rules for offers, shared by the tRPC routers and the offer forms (merchant and manager): the same zod
// schema validates in the browser and on the server, with the same messages, each on its field.
import { z } from "zod";
import { SUPPORTED_CURRENCIES, parseAmount, parsePercent } from "../money/amount";
import { destinationSchema } from "../links/schema";

export const CURRENCIES = Object.keys(SUPPORTED_CURRENCIES).sort();
export const MAX_CAP = 1_000_000;
export const MAX_WINDOW_DAYS = 365;

const wholeDays = (what: string, min: number) =>
  z
    .number({ error: `${what}: a whole number of days` })
    .int({ error: `${what}: a whole number of days` })
    .min(min, { error: `${what}: at least ${min} day${min === 1 ? "" : "s"}` })
    .max(MAX_WINDOW_DAYS, { error: `${what}: at most ${MAX_WINDOW_DAYS} days` });

const cap = (what: string) =>
  z
    .number({ error: `${what}: a whole number of conversions, or empty for no cap` })
    .int({ error: `${what}: a whole number of conversions, or empty for no cap` })
    .min(1, { error: `${what}: at least 1 (empty: no cap)` })
    .max(MAX_CAP, { error: `${what}: at most ${MAX_CAP.toLocaleString("en-US")}` })
    .nullable();

/** What a merchant or manager types into the offer form; the rate is text in the offer's terms. */
export const offerFields = z.object({
  name: z.string().trim().min(1, { error: "Name is required." }).max(100, { error: "Name: at most 100 characters." }),
  destinationUrl: destinationSchema,
  payoutModel: z.enum(["CPA", "REVSHARE"], { error: "Choose CPA or revenue share." }),
  currency: z.enum(CURRENCIES as [string, ...string[]], { error: "Choose a supported currency." }),
  /** CPA: an amount in the currency ("8.50"); revenue share: a percentage ("12.5"). */
  rate: z.string().trim().min(1, { error: "Enter a rate." }).max(20, { error: "Rate: at most 20 characters." }),
  attributionWindowDays: wholeDays("Attribution window", 1),
  holdingPeriodDays: wholeDays("Holding period", 0),
  dailyCap: cap("Daily cap"),
  monthlyCap: cap("Monthly cap"),
  openToAffiliates: z.boolean(),
});

export type OfferFieldsInput = z.input<typeof offerFields>;

/** The rate as the columns store it, with each problem on its field. */
function toTerms<T extends z.infer<typeof offerFields>>(fields: T, ctx: z.RefinementCtx) {
  const { rate, ...rest } = fields;
  let cpaAmountMinor: number | null = null;
  let revshareBps: number | null = null;
  if (fields.payoutModel === "CPA") {
    const amount = parseAmount(rate, fields.currency);
    if (amount.ok && amount.minor > 0) cpaAmountMinor = amount.minor;
    else ctx.addIssue({ code: "custom", path: ["rate"], message: amount.ok ? "Rate: more than zero." : `Rate: ${amount.message.replace(/^amount /, "")}` });
  } else {
    const share = parsePercent(rate);
    if (share.ok && share.bps > 0) revshareBps = share.bps;
    else ctx.addIssue({ code: "custom", path: ["rate"], message: share.ok ? "Rate: more than zero." : `Rate: ${share.message}` });
  }
  if (fields.dailyCap !== null && fields.monthlyCap !== null && fields.monthlyCap < fields.dailyCap) {
    ctx.addIssue({ code: "custom", path: ["monthlyCap"], message: "Monthly cap: at least the daily cap." });
  }
  return { ...rest, cpaAmountMinor, revshareBps };
}

export const offerFormSchema = offerFields.transform(toTerms);
export const createOfferInput = offerFormSchema;
export const updateOfferInput = offerFields.extend({ id: z.string().min(1).max(100) }).transform(toTerms);
export const managerCreateOfferInput = offerFields.extend({ merchantId: z.string().min(1, { error: "Choose a merchant." }).max(100) }).transform(toTerms);

export const offerStatusInput = z.object({ id: z.string().min(1).max(100), action: z.enum(["pause", "resume", "archive"]) });
export const listOffersInput = z.object({ merchantId: z.string().max(100).optional(), includeArchived: z.boolean().default(false) });

export type OfferTermsInput = z.output<typeof offerFormSchema>;
export type OfferStatusAction = z.infer<typeof offerStatusInput>["action"];

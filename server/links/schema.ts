// Input rules for links, shared by the tRPC router and the manager's form (same messages on both sides).
import { z } from "zod";
import { checkDestination } from "../tracking/destination";
import { SLUG_PATTERN, SLUG_RULE } from "../tracking/slug";

export const slugSchema = z.string().trim().regex(SLUG_PATTERN, { error: `Slug: ${SLUG_RULE}.` });

function toDestination(raw: string, ctx: z.RefinementCtx): string {
  const checked = checkDestination(raw);
  if (checked.ok) return checked.url;
  ctx.addIssue({ code: "custom", message: checked.error });
  return z.NEVER;
}

export const destinationSchema = z.string().trim().min(1, { error: "Destination URL is required." }).transform(toDestination);

/** A destination, or null for an empty field. */
export const optionalDestinationSchema = z
  .string()
  .trim()
  .transform((raw, ctx) => (raw ? toDestination(raw, ctx) : null));

export const createLinkInput = z.object({
  slug: slugSchema,
  affiliateId: z.string().min(1, { error: "Choose an affiliate." }),
  offerId: z.string().min(1, { error: "Choose an offer." }),
  destinationUrl: destinationSchema,
  active: z.boolean().default(true),
});

export const updateLinkInput = z.object({
  id: z.number().int().positive(),
  destinationUrl: destinationSchema.optional(),
  active: z.boolean().optional(),
});

export const listLinksInput = z.object({
  search: z.string().trim().max(100).optional(),
  page: z.number().int().min(1).default(1),
});

export type CreateLinkInput = z.infer<typeof createLinkInput>;
export type UpdateLinkInput = z.infer<typeof updateLinkInput>;
export type ListLinksInput = z.infer<typeof listLinksInput>;

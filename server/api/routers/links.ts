// Links: managers list, create, edit and disable them; affiliates read their own with tracking URLs. Thin: the
// rules live in server/links.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { LinkError, affiliateLinks, createLink, linkFormOptions, listLinks, updateLink } from "../../links/links";
import { createLinkInput, listLinksInput, updateLinkInput } from "../../links/schema";
import { affiliateProcedure, createTRPCRouter, managerProcedure } from "../trpc";

/** Domain errors become tRPC errors with the same code and message; anything else stays a 500. */
async function mapped<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof LinkError) throw new TRPCError({ code: error.code, message: error.message });
    throw error;
  }
}

export const linksRouter = createTRPCRouter({
  list: managerProcedure.input(listLinksInput).query(({ input }) => listLinks(input)),
  formOptions: managerProcedure.query(() => linkFormOptions()),
  create: managerProcedure.input(createLinkInput).mutation(({ input }) => mapped(() => createLink(input))),
  update: managerProcedure.input(updateLinkInput).mutation(({ input }) => mapped(() => updateLink(input))),
  disable: managerProcedure.input(z.object({ id: z.number().int().positive() })).mutation(({ input }) => mapped(() => updateLink({ id: input.id, active: false }))),
  mine: affiliateProcedure.query(({ ctx }) => affiliateLinks(ctx.affiliateId)),
});

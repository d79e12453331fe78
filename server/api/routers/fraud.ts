// Fraud review for program managers: the queue, traffic charts, release/reverse decisions and their history, rule
// settings, the CIDR block list and affiliates' own IPs and customer ids. Each procedure validates its input and
// hands off to server/fraud.
import { z } from "zod";
import { ruleUpdateSchema, thresholdsSchema } from "../../fraud/config";
import { identitiesUpdateSchema, listIdentities, updateIdentities } from "../../fraud/identities";
import { decideCommissions, decisionHistory, fraudQueue } from "../../fraud/review";
import { affiliateTraffic } from "../../reporting/traffic";
import { addBlock, cidrSchema, listBlocks, listRules, removeBlock, updateRule, updateThresholds } from "../../fraud/settings";
import { createTRPCRouter, managerProcedure } from "../trpc";

const id = z.string().min(1).max(100);

export const fraudRouter = createTRPCRouter({
  queue: managerProcedure.query(({ ctx }) => fraudQueue(ctx.db)),

  traffic: managerProcedure
    .input(
      z
        .object({ affiliateId: id, from: z.date(), to: z.date(), resolution: z.enum(["hour", "minute"]).default("hour") })
        .refine((r) => r.from < r.to, { message: "from must be before to", path: ["to"] }),
    )
    .query(({ ctx, input }) => affiliateTraffic(ctx.db, input.affiliateId, input.from, input.to, input.resolution)),

  decide: managerProcedure
    .input(
      z.object({
        commissionIds: z.array(id).min(1, "Select at least one commission").max(500, "At most 500 commissions at once"),
        decision: z.enum(["release", "reverse"]),
        note: z.string().trim().max(500).optional(),
      }),
    )
    .mutation(({ ctx, input }) => decideCommissions(ctx.db, input, ctx.session.user.id)),

  history: managerProcedure.query(({ ctx }) => decisionHistory(ctx.db)),

  rules: managerProcedure.query(({ ctx }) => listRules(ctx.db)),

  updateRule: managerProcedure.input(ruleUpdateSchema).mutation(({ ctx, input }) => updateRule(ctx.db, input, ctx.session.user.id)),

  updateThresholds: managerProcedure.input(thresholdsSchema).mutation(({ ctx, input }) => updateThresholds(ctx.db, input, ctx.session.user.id)),

  blocklist: managerProcedure.query(({ ctx }) => listBlocks(ctx.db)),

  addBlock: managerProcedure
    .input(z.object({ cidr: cidrSchema, label: z.string().trim().min(1, "Give the range a label").max(100) }))
    .mutation(({ ctx, input }) => addBlock(ctx.db, input, ctx.session.user.id)),

  removeBlock: managerProcedure.input(z.object({ id })).mutation(({ ctx, input }) => removeBlock(ctx.db, input.id, ctx.session.user.id)),

  identities: managerProcedure
    .input(z.object({ search: z.string().trim().max(100).optional() }))
    .query(({ ctx, input }) => listIdentities(ctx.db, input.search)),

  updateIdentities: managerProcedure.input(identitiesUpdateSchema).mutation(({ ctx, input }) => updateIdentities(ctx.db, input, ctx.session.user.id)),
});

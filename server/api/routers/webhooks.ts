// Merchant webhooks: endpoints (add, edit, disable, re-enable, rotate the secret, send a test event), the delivery
// log and replays. Scoped by ctx.merchantId; each procedure validates its input and hands off to server/webhooks.
import { z } from "zod";
import {
  createEndpoint,
  disable,
  enable,
  listDeliveries,
  listEndpoints,
  replay,
  replayPreview,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
} from "../../webhooks/endpoints";
import { EVENT_TYPES } from "../../webhooks/events";
import { createTRPCRouter, merchantProcedure } from "../trpc";

const id = z.string().min(1).max(100);
const endpointFields = z.object({
  url: z.string().trim().min(1, "Enter the URL we should POST events to").max(2048, "At most 2048 characters"),
  description: z.string().trim().max(200, "At most 200 characters").default(""),
  eventTypes: z
    .array(z.enum(EVENT_TYPES, { error: `Event types are ${EVENT_TYPES.join(", ")}` }))
    .max(EVENT_TYPES.length)
    .default([])
    .transform((types) => [...new Set(types)]),
});

const actor = (ctx: { merchantId: string; session: { user: { id: string } } }) => ({ merchantId: ctx.merchantId, userId: ctx.session.user.id });

export const webhooksRouter = createTRPCRouter({
  endpoints: merchantProcedure.query(({ ctx }) => listEndpoints(ctx.db, ctx.merchantId)),

  create: merchantProcedure.input(endpointFields).mutation(({ ctx, input }) => createEndpoint(ctx.db, actor(ctx), input)),

  update: merchantProcedure
    .input(endpointFields.extend({ id }))
    .mutation(({ ctx, input: { id, ...fields } }) => updateEndpoint(ctx.db, actor(ctx), id, fields)),

  disable: merchantProcedure.input(z.object({ id })).mutation(({ ctx, input }) => disable(ctx.db, actor(ctx), input.id)),

  replayPreview: merchantProcedure.input(z.object({ id })).query(({ ctx, input }) => replayPreview(ctx.db, actor(ctx), input.id)),

  enable: merchantProcedure
    .input(z.object({ id, replayFailed: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => enable(ctx.db, actor(ctx), input.id, input.replayFailed)),

  rotateSecret: merchantProcedure.input(z.object({ id })).mutation(({ ctx, input }) => rotateSecret(ctx.db, actor(ctx), input.id)),

  sendTest: merchantProcedure.input(z.object({ id })).mutation(({ ctx, input }) => sendTestEvent(ctx.db, actor(ctx), input.id)),

  deliveries: merchantProcedure
    .input(
      z.object({
        endpointId: id,
        status: z.enum(["PENDING", "SUCCEEDED", "FAILED"]).optional(),
        limit: z.number().int().min(1).max(100).default(25),
        cursor: z.object({ createdAt: z.date(), id }).nullish(),
      }),
    )
    .query(({ ctx, input }) => listDeliveries(ctx.db, actor(ctx), { ...input, cursor: input.cursor ?? undefined })),

  replay: merchantProcedure.input(z.object({ deliveryId: id })).mutation(({ ctx, input }) => replay(ctx.db, actor(ctx), input.deliveryId)),
});

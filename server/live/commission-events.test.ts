// The live events of commission status changes written by bulk statements (the approval job, a payout's
// attachment): one event per changed commission with its previous status, none for commissions marked PAID (their
// payout's state change is the event), and none for an update that changes no status.
import { beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../db";
import { createConversion, createProgram } from "../testing/fixtures";

let program: Awaited<ReturnType<typeof createProgram>>;
let ids: string[];

beforeAll(async () => {
  program = await createProgram();
  ids = [];
  for (let i = 0; i < 40; i++) ids.push((await createConversion(program.link)).commission.id);
});

async function eventsSince(id: bigint) {
  const { rows } = await getPool().query<{ data: { commissionId: string; status: string; previous: string } }>(
    `SELECT data FROM live_events WHERE id > $1 AND kind = 'commission' AND data->>'commissionId' = ANY ($2::text[]) ORDER BY id`,
    [id, ids],
  );
  return rows.map((r) => r.data);
}

const lastId = async () => BigInt((await getPool().query(`SELECT COALESCE(max(id), 0)::text AS id FROM live_events`)).rows[0].id);

describe("live commission events from bulk statements", () => {
  it("announces each commission a statement approves, with its previous status; not those it marks PAID", async () => {
    const pool = getPool();
    let since = await lastId();
    await pool.query(`UPDATE commissions SET status = 'APPROVED', "approvedAt" = now() WHERE id = ANY ($1::text[])`, [ids]);
    const approved = await eventsSince(since);
    expect(approved).toHaveLength(ids.length);
    expect(new Set(approved.map((e) => e.commissionId))).toEqual(new Set(ids));
    expect(approved.every((e) => e.status === "APPROVED" && e.previous === "PENDING")).toBe(true);

    since = await lastId();
    await pool.query(`UPDATE commissions SET "updatedAt" = now() WHERE id = ANY ($1::text[])`, [ids]); // no status change
    await pool.query(`UPDATE commissions SET status = 'PAID', "paidAt" = now() WHERE id = ANY ($1::text[])`, [ids]);
    expect(await eventsSince(since)).toEqual([]);
  });
});

import type pg from "pg";
import { getPool } from "../db";
import { migrationsApplied } from "../db/migrate";
import { type Handler, sendJson } from "./types";

export type Health = { status: 200; body: { status: "ok" } } | { status: 503; body: { status: "migrating" | "unavailable"; reason: string } };

/** 200 once the database answers and every migration on disk is applied; 503 with the reason otherwise. */
export async function checkHealth(pool: pg.Pool, migratedBefore = false): Promise<Health> {
  try {
    await pool.query("SELECT 1");
    if (!migratedBefore && !(await migrationsApplied(pool))) return { status: 503, body: { status: "migrating", reason: "migrations pending" } };
    return { status: 200, body: { status: "ok" } };
  } catch {
    return { status: 503, body: { status: "unavailable", reason: "database unreachable" } };
  }
}

let migrated = false; // migrations never un-apply: once seen complete, only the database's answer is checked

export const health: Handler = async (_req, res) => {
  const result = await checkHealth(getPool(), migrated);
  migrated ||= result.status === 200;
  sendJson(res, result.status, result.body);
};

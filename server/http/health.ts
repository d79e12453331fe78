import { getPool } from "../db";
import { migrationsApplied } from "../db/migrate";
import { type Handler, sendJson } from "./types";

let migrated = false;

/** 200 once the database answers and every migration on disk is applied; 503 with the reason otherwise. */
export const health: Handler = async (_req, res) => {
  try {
    await getPool().query("SELECT 1");
    migrated ||= await migrationsApplied(getPool());
    if (!migrated) return sendJson(res, 503, { status: "migrating", reason: "migrations pending" });
    sendJson(res, 200, { status: "ok" });
  } catch {
    sendJson(res, 503, { status: "unavailable", reason: "database unreachable" });
  }
};

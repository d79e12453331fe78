import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getPool } from "../db";
import { startServerProcess } from "../testing/server-process";
import { createTestLink } from "./test-support";

afterAll(closeDb);

describe("graceful shutdown under load", () => {
  it("SIGTERM while clicks pour in: every redirect answered 302 has its click row, and the server exits 0", async () => {
    const { link } = await createTestLink();
    // Batches are written only when 500 clicks fill one: everything after the last full batch sits in memory until
    // the shutdown flush, so this proves that flush rather than the periodic one.
    const server = await startServerProcess({ env: { CLICK_FLUSH_MS: "600000", CLICK_BATCH_SIZE: "500" } });
    const answered = new Set<string>();
    let sent = 0;
    let stopping = false;
    const worker = async (w: number) => {
      for (let i = 0; ; i++) {
        const tag = `${w}-${i}`;
        sent++;
        try {
          const res = await fetch(`${server.url}/go/${link.slug}?sub1=${tag}`, {
            redirect: "manual",
            headers: { "user-agent": `Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0 worker${w}` },
          });
          await res.arrayBuffer();
          if (res.status === 302) answered.add(tag);
          else throw new Error(`unexpected status ${res.status}`);
        } catch (error) {
          if (stopping) return; // refused or cut off by the shutdown: not answered, not counted
          throw error;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    while (answered.size < 1_500) await new Promise((r) => setTimeout(r, 20));
    stopping = true;
    const exitCode = await server.stop("SIGTERM");
    await load;

    expect(exitCode, server.output()).toBe(0);
    const { rows } = await getPool().query<{ sub1: string }>(`SELECT sub1 FROM clicks WHERE "linkId" = $1`, [link.id]);
    const storedTags = new Set(rows.map((r) => r.sub1));
    const lost = [...answered].filter((tag) => !storedTags.has(tag));
    expect(lost).toEqual([]);
    expect(rows.length).toBe(storedTags.size); // no duplicates
    expect(rows.length).toBeGreaterThanOrEqual(answered.size);
    expect(rows.length).toBeLessThanOrEqual(sent);
    expect(server.output()).toContain("stopped cleanly");
  }, 60_000);
});

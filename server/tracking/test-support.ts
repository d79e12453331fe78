// What the click-path tests need besides server/testing/fixtures: our server started as a real child process.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createLink, createOffer } from "../testing/fixtures";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** A link (and its own offer and affiliate), with the offer returned too for tests that change its parameter. */
export async function createTestLink(opts: { slug?: string; destinationUrl?: string; clickIdParam?: string; active?: boolean } = {}) {
  const offer = await createOffer(opts.clickIdParam ? { clickIdParam: opts.clickIdParam } : {});
  const link = await createLink({
    offerId: offer.id,
    ...(opts.slug && { slug: opts.slug }),
    ...(opts.destinationUrl && { destinationUrl: opts.destinationUrl }),
    ...(opts.active !== undefined && { active: opts.active }),
  });
  return { link, offer };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `node --import tsx server/main.ts` with hot paths only, on a free port, against DATABASE_URL. */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, SERVE_NEXT: "0", SEED: "0", PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready on (http:\/\/localhost:\d+)/.exec(out);
      if (match) resolve(match[1]!.replace("localhost", "127.0.0.1"));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    void exited.then((code) => reject(new Error(`server exited (${code}) before it was ready:\n${out}`)));
  });
  return {
    url,
    child,
    output: () => out,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

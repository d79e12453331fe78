// A server of the spec's own (the same build and database as the suite's), for what the shared one cannot do:
// restart it under an open page, or take its database away (through a TCP proxy). Cookies are per host, not per
// port, so a session signed in on the suite's server is valid here too (same NEXTAUTH_SECRET).
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface SpecServer {
  url: string;
  stop(): Promise<void>;
}

export async function startSpecServer(port: number, env: Record<string, string> = {}): Promise<SpecServer> {
  const url = `http://localhost:${port}`;
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), NEXTAUTH_URL: url, SEED: "0", WEBHOOK_RELAY: "0", ...env },
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the spec's server exited (${child.exitCode}):\n${output.slice(-2000)}`);
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`the spec's server was not healthy in time:\n${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

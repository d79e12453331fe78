// Our server (or a stand-in that prints the same "ready on" line) as a real child process, for tests and
// benchmarks: started on a free port with the given environment, resolved once it is ready.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ServerProcess {
  /** http://127.0.0.1:<port> ("" when `readyWhen` matched something other than the ready line). */
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Sends the signal (SIGTERM: a graceful stop) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServerProcessOptions {
  /** Overrides the defaults: hot paths only (SERVE_NEXT=0), no seed, a free port on 127.0.0.1, NODE_ENV=test. */
  env?: Record<string, string>;
  /** Node arguments; default our server. */
  argv?: string[];
  /** Output that means "started" (default the ready line, whose port becomes `url`). */
  readyWhen?: RegExp;
}

export async function startServerProcess({ env = {}, argv = ["--import", "tsx", "server/main.ts"], readyWhen = /ready on http:\/\/localhost:(\d+)/ }: ServerProcessOptions = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, SERVE_NEXT: "0", SEED: "0", PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = readyWhen.exec(out);
      if (match) resolve(match[1] ? `http://127.0.0.1:${match[1]}` : "");
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

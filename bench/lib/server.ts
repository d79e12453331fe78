// Our server as a child process for benchmarks: started with the given environment on a free port (PORT=0), resolved
// once it prints its "ready on" line; `stopServer` sends SIGTERM and waits for the exit.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** `argv` replaces our server by another script that prints the same "ready on" line (a baseline server). */
export async function startServer(env: Record<string, string>, argv = ["--import", "tsx", "server/main.ts"]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, PORT: "0", ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready on http:\/\/localhost:(\d+)/.exec(out);
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
  return { url, child };
}

export function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

// The browser of the Playwright suite is Debian's Chromium (Playwright never downloads one). `npm test` sets it up
// like the database: where it is missing and we are root with apt (as on a fresh CI machine), it installs the
// `chromium` package with a progress line; anywhere else it says exactly what to run.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

export type ChromiumPlan =
  | { kind: "ready"; path: string }
  | { kind: "install"; path: string }
  | { kind: "missing"; message: string };

export interface ChromiumFacts {
  /** CHROMIUM_PATH when set. */
  configured?: string;
  exists: (path: string) => boolean;
  isRoot: boolean;
  hasApt: boolean;
}

/** What to do about the browser: pure, from the facts of this machine. */
export function planChromium({ configured, exists, isRoot, hasApt }: ChromiumFacts): ChromiumPlan {
  const path = configured || DEFAULT_CHROMIUM;
  if (exists(path)) return { kind: "ready", path };
  if (configured && configured !== DEFAULT_CHROMIUM) {
    return { kind: "missing", message: `CHROMIUM_PATH=${configured} does not exist: point it at a Chromium binary, or unset it to use Debian's ${DEFAULT_CHROMIUM}` };
  }
  if (!hasApt) return { kind: "missing", message: `Chromium is not installed at ${path}: install it with your package manager, or set CHROMIUM_PATH to a Chromium binary` };
  if (!isRoot) return { kind: "missing", message: `Chromium is not installed at ${path}: run "sudo apt-get update && sudo apt-get install -y chromium", or set CHROMIUM_PATH` };
  return { kind: "install", path };
}

/** Runs a command whose `APT::Status-Fd` is fd 3, handing each status line over; resolves with its exit code. */
export type AptRunner = (args: string[], onStatus: (line: string) => void) => Promise<number>;

const runApt: AptRunner = (args, onStatus) =>
  new Promise((resolve) => {
    const child = spawn("apt-get", ["-o", "APT::Status-Fd=3", ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let pending = "";
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onStatus(line);
    });
    let errors = "";
    child.stderr!.on("data", (c: Buffer) => (errors += c.toString()));
    child.on("error", () => resolve(127));
    child.on("close", (code) => {
      if (code !== 0 && errors.trim()) onStatus(`error:${errors.trim().split("\n").at(-1)}`);
      resolve(code ?? 1);
    });
  });

/** `dlstatus:1:42.5:Retrieving file 3 of 80` / `pmstatus:chromium:60:Unpacking chromium` → "42%, Retrieving file 3 of 80". */
export function progressOf(statusLine: string): string | undefined {
  const match = /^(?:dl|pm)status:[^:]*:([\d.]+):(.*)$/.exec(statusLine);
  return match ? `${Math.floor(Number(match[1]))}%, ${match[2]!.trim()}` : undefined;
}

/**
 * The browser's path, installing Debian's chromium first when `planChromium` says so; undefined (after printing the
 * one-line fix) when there is none. `write` receives the progress line (rewritten in place on a terminal).
 */
export async function ensureChromium({
  facts = {
    configured: process.env.CHROMIUM_PATH,
    exists: existsSync,
    isRoot: process.getuid?.() === 0,
    hasApt: existsSync("/usr/bin/apt-get"),
  } as ChromiumFacts,
  apt = runApt,
  write = (text: string): void => void process.stdout.write(text),
  inPlace = process.stdout.isTTY === true,
} = {}): Promise<string | undefined> {
  const plan = planChromium(facts);
  if (plan.kind === "ready") return plan.path;
  if (plan.kind === "missing") {
    write(`[test] ${plan.message}\n`);
    return undefined;
  }
  write(`[test] Chromium is not installed at ${plan.path}: installing Debian's chromium (apt-get install chromium)\n`);
  let last = "";
  let lastError = "";
  const show = (step: string) => (line: string) => {
    if (line.startsWith("error:")) lastError = line.slice(6);
    const progress = progressOf(line);
    if (!progress || progress === last) return;
    last = progress;
    write(inPlace ? `\r\x1b[K[test] chromium ${step}: ${progress}` : `[test] chromium ${step}: ${progress}\n`);
  };
  const updated = await apt(["update", "-q"], show("package lists"));
  const installed = updated === 0 && (await apt(["install", "-y", "-q", "chromium"], show("install")));
  if (inPlace && last) write("\n");
  if (installed === 0 && facts.exists(plan.path)) {
    write(`[test] Chromium installed at ${plan.path}\n`);
    return plan.path;
  }
  write(
    `[test] installing chromium failed${lastError ? ` (${lastError})` : ""}: run "apt-get update && apt-get install -y chromium" yourself, or set CHROMIUM_PATH\n`,
  );
  return undefined;
}

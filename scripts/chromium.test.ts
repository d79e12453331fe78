import { describe, expect, it } from "vitest";
import { type AptRunner, type ChromiumFacts, ensureChromium, planChromium, progressOf } from "./chromium";

const facts = (over: Partial<ChromiumFacts> = {}): ChromiumFacts => ({ exists: () => false, isRoot: true, hasApt: true, ...over });

describe("planChromium", () => {
  it("uses the browser that is there", () => {
    expect(planChromium(facts({ exists: (p) => p === "/usr/bin/chromium" }))).toEqual({ kind: "ready", path: "/usr/bin/chromium" });
    expect(planChromium(facts({ configured: "/opt/c/chrome", exists: (p) => p === "/opt/c/chrome" }))).toEqual({ kind: "ready", path: "/opt/c/chrome" });
  });

  it("installs Debian's only as root with apt, and only for the default path", () => {
    expect(planChromium(facts())).toEqual({ kind: "install", path: "/usr/bin/chromium" });
    expect(planChromium(facts({ configured: "/usr/bin/chromium" }))).toEqual({ kind: "install", path: "/usr/bin/chromium" });
    expect(planChromium(facts({ isRoot: false }))).toMatchObject({ kind: "missing", message: expect.stringContaining('run "sudo apt-get update && sudo apt-get install -y chromium"') });
    expect(planChromium(facts({ hasApt: false }))).toMatchObject({ kind: "missing", message: expect.stringContaining("set CHROMIUM_PATH") });
    expect(planChromium(facts({ configured: "/opt/c/chrome" }))).toMatchObject({ kind: "missing", message: expect.stringContaining("CHROMIUM_PATH=/opt/c/chrome does not exist") });
  });
});

describe("ensureChromium", () => {
  it("installs with a progress line from apt's status, then returns the path", async () => {
    const installed = new Set<string>();
    const calls: string[][] = [];
    const apt: AptRunner = async (args, onStatus) => {
      calls.push(args);
      if (args[0] === "install") {
        onStatus("dlstatus:1:12.5:Retrieving file 1 of 8");
        onStatus("pmstatus:chromium:87.2:Unpacking chromium");
        installed.add("/usr/bin/chromium");
      }
      return 0;
    };
    let out = "";
    const path = await ensureChromium({ facts: facts({ exists: (p) => installed.has(p) }), apt, write: (t) => void (out += t), inPlace: false });
    expect(path).toBe("/usr/bin/chromium");
    expect(calls).toEqual([["update", "-q"], ["install", "-y", "-q", "chromium"]]);
    expect(out).toContain("installing Debian's chromium");
    expect(out).toContain("[test] chromium install: 12%, Retrieving file 1 of 8\n");
    expect(out).toContain("[test] chromium install: 87%, Unpacking chromium\n");
    expect(out).toContain("Chromium installed at /usr/bin/chromium");
  });

  it("a failed install says what to run; no apt call when it may not install", async () => {
    let out = "";
    const failing: AptRunner = async (_args, onStatus) => (onStatus("error:E: Unable to locate package chromium"), 100);
    expect(await ensureChromium({ facts: facts(), apt: failing, write: (t) => void (out += t), inPlace: false })).toBeUndefined();
    expect(out).toContain('installing chromium failed (E: Unable to locate package chromium): run "apt-get update && apt-get install -y chromium" yourself');

    let called = false;
    out = "";
    const never: AptRunner = async () => ((called = true), 0);
    expect(await ensureChromium({ facts: facts({ isRoot: false }), apt: never, write: (t) => void (out += t) })).toBeUndefined();
    expect(called).toBe(false);
    expect(out).toMatch(/^\[test\] Chromium is not installed at \/usr\/bin\/chromium: run "sudo apt-get/);
  });

  it("reads apt's status lines", () => {
    expect(progressOf("pmstatus:chromium:60:Unpacking chromium")).toBe("60%, Unpacking chromium");
    expect(progressOf("Reading package lists...")).toBeUndefined();
  });
});

import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedsDemoData, startupWarnings } from "./bootstrap";
import { env, resetEnvForTests } from "./env";
import { ensureLocalSecrets } from "./local-secrets";

const saved = { ...process.env };
const SECRET = "s".repeat(32);

beforeEach(() => {
  resetEnvForTests();
  for (const key of ["NEXTAUTH_SECRET", "CLICK_ID_SECRET", "WEBHOOK_SECRET_KEY", "PORT", "NEXTAUTH_URL"]) delete process.env[key];
  process.env.DATABASE_URL = "postgresql://u:p@127.0.0.1:5432/app";
});

afterEach(() => {
  process.env = { ...saved };
  resetEnvForTests();
});

describe("demo data at start", () => {
  it("is seeded outside production, never under NODE_ENV=production (embedded database or not) unless SEED=1", () => {
    expect(seedsDemoData("auto", "production")).toBe(false); // npm start on a fresh clone: no public logins
    expect(seedsDemoData("auto", "development")).toBe(true);
    expect(seedsDemoData("auto", "test")).toBe(true);
    expect(seedsDemoData("1", "production")).toBe(true);
    expect(seedsDemoData("0", "development")).toBe(false);
  });

  it("a production start warns loudly about a demo seed, plain http and metrics nobody can scrape; development is quiet", () => {
    const https = { NODE_ENV: "production", NEXTAUTH_URL: "https://aff.example.com", METRICS_TOKEN: "t".repeat(16), METRICS_PORT: undefined } as const;
    expect(startupWarnings(https, { seeding: false })).toEqual([]);
    expect(startupWarnings(https, { seeding: true })).toEqual([expect.stringMatching(/^SEED=1 in production: .*PUBLIC demo logins/)]);
    expect(startupWarnings({ ...https, NEXTAUTH_URL: "http://aff.example.com" }, { seeding: false })).toEqual([
      expect.stringMatching(/plain http \(NEXTAUTH_URL=http:\/\/aff\.example\.com\): session cookies are not Secure/),
    ]);
    expect(startupWarnings({ ...https, METRICS_TOKEN: undefined }, { seeding: false })).toEqual([expect.stringMatching(/\/metrics is refused/)]);
    expect(startupWarnings({ ...https, METRICS_TOKEN: undefined, METRICS_PORT: 9100 }, { seeding: false })).toEqual([]);
    expect(startupWarnings({ NODE_ENV: "development", NEXTAUTH_URL: undefined, METRICS_TOKEN: undefined, METRICS_PORT: undefined }, { seeding: true })).toEqual([]);
  });
});

describe("env", () => {
  it("refuses to start in production without secrets, naming each missing one", () => {
    Object.assign(process.env, { NODE_ENV: "production" });
    expect(() => env()).toThrow(/Invalid environment:[\s\S]*NEXTAUTH_SECRET: NEXTAUTH_SECRET is required[\s\S]*CLICK_ID_SECRET[\s\S]*WEBHOOK_SECRET_KEY: WEBHOOK_SECRET_KEY is required/);
  });

  it("refuses secrets that are too short", () => {
    Object.assign(process.env, { NODE_ENV: "production", NEXTAUTH_SECRET: "short", CLICK_ID_SECRET: SECRET });
    expect(() => env()).toThrow(/NEXTAUTH_SECRET must be at least 32 characters/);
  });

  it("refuses a DATABASE_URL that is not a URL", () => {
    Object.assign(process.env, { NEXTAUTH_SECRET: SECRET, CLICK_ID_SECRET: SECRET, DATABASE_URL: "localhost:5432" });
    expect(() => env()).toThrow(/DATABASE_URL must be a postgresql:\/\/ URL/);
  });

  it("parses a valid environment with defaults and coercion", () => {
    Object.assign(process.env, { NODE_ENV: "production", NEXTAUTH_SECRET: SECRET, CLICK_ID_SECRET: SECRET, WEBHOOK_SECRET_KEY: SECRET, PORT: "8080" });
    const config = env();
    expect(config).toMatchObject({ NODE_ENV: "production", PORT: 8080, NEXTAUTH_SECRET: SECRET });
    delete process.env.PORT;
    resetEnvForTests();
    expect(env().PORT).toBe(3000);
  });
});

describe("local secrets", () => {
  it("generates missing secrets once, keeps them private, and reuses them on the next start", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "secrets-"));
    try {
      const file = path.join(dir, "nested", "secrets.json");
      ensureLocalSecrets(file);
      const first = JSON.parse(readFileSync(file, "utf8"));
      expect(first.NEXTAUTH_SECRET).toHaveLength(43);
      expect(first.CLICK_ID_SECRET).not.toBe(first.NEXTAUTH_SECRET);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(process.env.NEXTAUTH_SECRET).toBe(first.NEXTAUTH_SECRET);

      delete process.env.NEXTAUTH_SECRET;
      delete process.env.CLICK_ID_SECRET;
      ensureLocalSecrets(file);
      expect(process.env.NEXTAUTH_SECRET).toBe(first.NEXTAUTH_SECRET);
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(first);
      expect(env().CLICK_ID_SECRET).toBe(first.CLICK_ID_SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("never overrides secrets given in the environment", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "secrets-"));
    try {
      process.env.NEXTAUTH_SECRET = SECRET;
      ensureLocalSecrets(path.join(dir, "secrets.json"));
      expect(process.env.NEXTAUTH_SECRET).toBe(SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

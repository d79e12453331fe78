import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedsDemoData } from "./bootstrap";
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
  it("is seeded into the embedded database and outside production, never into a production DATABASE_URL unless asked", () => {
    expect(seedsDemoData("auto", { embedded: true, nodeEnv: "production" })).toBe(true); // npm start on a fresh clone
    expect(seedsDemoData("auto", { embedded: false, nodeEnv: "development" })).toBe(true);
    expect(seedsDemoData("auto", { embedded: false, nodeEnv: "production" })).toBe(false);
    expect(seedsDemoData("1", { embedded: false, nodeEnv: "production" })).toBe(true);
    expect(seedsDemoData("0", { embedded: true, nodeEnv: "development" })).toBe(false);
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

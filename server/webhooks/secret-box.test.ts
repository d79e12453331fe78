// Signing secrets at rest: what the sealed form protects against, how old values keep working, and the start-time
// re-encryption on the real database (scoped to this file's merchants: other files share it).
import { describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import { createMerchant, createWebhookEndpoint } from "../testing/fixtures";
import { type Keyring, openSecret, sealingKey, sealSecret, UnreadableSecretError } from "./secret-box";
import { generateSecret } from "./signing";
import { resealEndpointSecrets } from "./store";

const oldKey = sealingKey("the key before the change, 32+ characters long");
const newKey = sealingKey("the key after the change, also 32+ characters");
const ring: Keyring = { current: newKey, previous: oldKey };
const secret = generateSecret();

describe("sealed secrets", () => {
  it("never contain the secret, differ on every sealing, and name the key that sealed them", () => {
    const [a, b] = [sealSecret(secret, "ep-1", ring), sealSecret(secret, "ep-1", ring)];
    expect(a).toMatch(new RegExp(`^wsk1\\.${newKey.id}\\.[A-Za-z0-9_-]+$`));
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret.slice(6, 20));
    expect([openSecret(a, "ep-1", ring), openSecret(b, "ep-1", ring)]).toEqual([secret, secret]);
  });

  it("open only for the endpoint they were sealed for, and not after tampering", () => {
    const sealed = sealSecret(secret, "ep-1", ring);
    expect(() => openSecret(sealed, "ep-2", ring)).toThrow(UnreadableSecretError);
    const flipped = sealed.slice(0, -3) + (sealed.at(-3) === "A" ? "B" : "A") + sealed.slice(-2);
    expect(() => openSecret(flipped, "ep-1", ring)).toThrow(UnreadableSecretError);
  });

  it("open with the previous key after a key change, and with no other key", () => {
    const underOld = sealSecret(secret, "ep-1", { current: oldKey, previous: null });
    expect(openSecret(underOld, "ep-1", ring)).toBe(secret);
    expect(() => openSecret(underOld, "ep-1", { current: newKey, previous: null })).toThrow(
      "the signing secret cannot be decrypted with WEBHOOK_SECRET_KEY (was the key changed?); rotate the endpoint's secret",
    );
  });

  it("read plain secrets stored before encryption as they are", () => {
    expect(openSecret(secret, "ep-1", ring)).toBe(secret);
  });
});

describe("re-encryption at start", () => {
  it("seals plain and old-key secrets under the current key, drops expired previous ones, and counts what no key opens", async () => {
    const m = await createMerchant();
    const make = () => createWebhookEndpoint({ merchantId: m.id, url: "https://hooks.example.com/x" });
    const [plain, oldSealed, current, lost] = await Promise.all([make(), make(), make(), make()]);
    const stranger = { current: sealingKey("a key nobody configured, 32+ characters long"), previous: null };
    const later = new Date(Date.now() + 3600e3);
    const set = (id: string, data: { secret: string; previousSecret?: string | null; previousSecretUntil?: Date }) =>
      db.webhookEndpoint.update({ where: { id }, data });
    await set(plain.id, { secret: plain.secret, previousSecret: generateSecret(), previousSecretUntil: new Date(Date.now() - 1000) });
    await set(oldSealed.id, {
      secret: sealSecret(oldSealed.secret, oldSealed.id, { current: oldKey, previous: null }),
      previousSecret: sealSecret(secret, oldSealed.id, { current: oldKey, previous: null }),
      previousSecretUntil: later,
    });
    await set(current.id, { secret: sealSecret(current.secret, current.id, ring) });
    await set(lost.id, { secret: sealSecret(lost.secret, lost.id, stranger) });
    const before = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: current.id } });

    expect(await resealEndpointSecrets(getPool(), { ring, merchantIds: [m.id] })).toEqual({ resealed: 2, unreadable: 1 });
    const rows = Object.fromEntries((await db.webhookEndpoint.findMany({ where: { merchantId: m.id } })).map((r) => [r.id, r]));
    expect(rows[plain.id]!.secret).toMatch(`wsk1.${newKey.id}.`);
    expect(openSecret(rows[plain.id]!.secret, plain.id, { current: newKey, previous: null })).toBe(plain.secret);
    expect(rows[plain.id]!.previousSecret).toBeNull(); // its window was over
    expect(openSecret(rows[oldSealed.id]!.secret, oldSealed.id, { current: newKey, previous: null })).toBe(oldSealed.secret);
    expect(openSecret(rows[oldSealed.id]!.previousSecret!, oldSealed.id, { current: newKey, previous: null })).toBe(secret);
    expect(rows[current.id]).toEqual(before); // already sealed under the current key: not rewritten
    expect(rows[lost.id]!.secret).toMatch(`wsk1.${stranger.current.id}.`); // left for the merchant to rotate

    expect(await resealEndpointSecrets(getPool(), { ring, merchantIds: [m.id] })).toEqual({ resealed: 0, unreadable: 1 });
  });
});

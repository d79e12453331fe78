// Affiliates' own identities through the real paths: the sign-in records the IP (as our server saw it), managers
// list IPs and customer ids (validated, canonical, audited) and forget sign-in IPs.
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { authenticate } from "../auth/options";
import { db } from "../db";
import { CLIENT_IP_HEADER, clientIpOfHeaders } from "../http/client-ip";
import { closeServer, createAppServer } from "../http/server";
import { FIXTURE_PASSWORD, callerFor, createAffiliate, createManager, unique } from "../testing/fixtures";
import { SIGN_IN_IPS_KEPT, recordSignInIp } from "./identities";

const manager = await createManager();
const api = callerFor(manager);

async function affiliateUser() {
  const affiliate = await createAffiliate();
  return { affiliate, email: affiliate.user!.email };
}
const signInIps = async (id: string) => (await db.affiliate.findUniqueOrThrow({ where: { id } })).signInIps;

describe("sign-in", () => {
  it("records the affiliate's public sign-in IPs, newest first, distinct, the last ten", async () => {
    const { affiliate, email } = await affiliateUser();
    expect(await authenticate(email, FIXTURE_PASSWORD, "203.0.113.5")).toMatchObject({ affiliateId: affiliate.id });
    await authenticate(email, FIXTURE_PASSWORD, "::ffff:198.51.100.8"); // IPv4 on a dual-stack socket
    expect(await recordSignInIp(affiliate.id, "203.0.113.5")).toBe(false); // back to the first: moved to the front, not new
    expect(await signInIps(affiliate.id)).toEqual(["203.0.113.5", "198.51.100.8"]);
    for (let i = 1; i <= 12; i++) await authenticate(email, FIXTURE_PASSWORD, `2a01:4f8:${i}::1`);
    const ips = await signInIps(affiliate.id);
    expect(ips).toHaveLength(SIGN_IN_IPS_KEPT);
    expect(ips[0]).toBe("2a01:4f8:12::1");
    expect(ips).not.toContain("203.0.113.5");
  });

  it("records nothing for addresses many people share behind us, failed sign-ins, or other roles", async () => {
    const { affiliate, email } = await affiliateUser();
    for (const ip of ["127.0.0.1", "::1", "10.1.2.3", "192.168.0.7", "100.64.3.3", "fe80::1", "not-an-ip", null]) await authenticate(email, FIXTURE_PASSWORD, ip);
    expect(await authenticate(email, "wrong password", "203.0.113.9")).toBeNull();
    expect(await signInIps(affiliate.id)).toEqual([]);
    expect(await authenticate(manager.email, FIXTURE_PASSWORD, "203.0.113.10")).toMatchObject({ role: "MANAGER" }); // no affiliate: nothing to record
  });

  it("sees the IP our server saw: the client cannot choose it with a header of its own", async () => {
    // Under plain `next start` (no server of ours in this process yet): X-Forwarded-For as Next sets it, or as
    // TRUST_PROXY hops allow — and never a client's own x-client-ip.
    expect(clientIpOfHeaders({ "x-forwarded-for": "203.0.113.1, 10.0.0.2" }, 0)).toBe("10.0.0.2");
    expect(clientIpOfHeaders({ "x-forwarded-for": "203.0.113.1, 10.0.0.2" }, 2)).toBe("203.0.113.1");
    expect(clientIpOfHeaders({ [CLIENT_IP_HEADER]: "198.51.100.99", "x-forwarded-for": "203.0.113.5" }, 0)).toBe("203.0.113.5");
    expect(clientIpOfHeaders(undefined, 0)).toBeNull();

    const server = createAppServer({
      next: async (req, res) => void res.end(JSON.stringify({ ip: clientIpOfHeaders(req.headers, 0) })),
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/callback/credentials`;
      const seen = await (await fetch(url, { headers: { [CLIENT_IP_HEADER]: "203.0.113.66", "x-forwarded-for": "203.0.113.67" } })).json();
      expect(seen).toEqual({ ip: "127.0.0.1" });
    } finally {
      await closeServer(server, 1_000);
    }
  });
});

describe("managers' lists", () => {
  it("saves canonical IPs and customer ids, forgets sign-in IPs, and audits the change", async () => {
    const { affiliate, email } = await affiliateUser();
    await authenticate(email, FIXTURE_PASSWORD, "203.0.113.20");
    await authenticate(email, FIXTURE_PASSWORD, "198.51.100.21");
    const saved = await api.fraud.updateIdentities({
      affiliateId: affiliate.id,
      knownIps: [" 2001:DB8:0:0::7 ", "203.0.113.30", "203.0.113.30", ""],
      knownCustomers: ["cust-1", " cust-2 ", "cust-1"],
      forgetSignInIps: ["203.0.113.20"],
    });
    expect(saved).toMatchObject({ knownIps: ["2001:db8::7", "203.0.113.30"], knownCustomers: ["cust-1", "cust-2"], signInIps: ["198.51.100.21"] });
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityId: affiliate.id, action: "fraud.identities.update" } });
    expect(audit).toMatchObject({ actorId: manager.id, data: { before: { knownIps: [], signInIps: ["198.51.100.21", "203.0.113.20"] }, after: { knownIps: ["2001:db8::7", "203.0.113.30"] } } });

    const found = await api.fraud.identities({ search: email.toUpperCase() });
    expect(found).toMatchObject({ total: 1, affiliates: [{ id: affiliate.id, knownIps: ["2001:db8::7", "203.0.113.30"] }] });
  });

  it("refuses a bad IP or too long a customer id, naming it, and writes nothing", async () => {
    const { affiliate } = await affiliateUser();
    await expect(api.fraud.updateIdentities({ affiliateId: affiliate.id, knownIps: ["203.0.113.1", "203.0.113.300"], knownCustomers: [] })).rejects.toThrow(/203\.0\.113\.300\W{1,2} is not an IPv4 or IPv6 address/);
    await expect(api.fraud.updateIdentities({ affiliateId: affiliate.id, knownIps: [], knownCustomers: ["x".repeat(129)] })).rejects.toThrow(/at most 128 characters/);
    await expect(api.fraud.updateIdentities({ affiliateId: unique("nobody"), knownIps: [], knownCustomers: [] })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db.affiliate.findUniqueOrThrow({ where: { id: affiliate.id } })).toMatchObject({ knownIps: [], knownCustomers: [] });
    expect(await db.auditLog.count({ where: { entityId: affiliate.id } })).toBe(0);
  });

  it("are for managers only", async () => {
    const { affiliate } = await affiliateUser();
    await expect(callerFor(affiliate.user).fraud.updateIdentities({ affiliateId: affiliate.id, knownIps: [], knownCustomers: [] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(affiliate.user).fraud.identities({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

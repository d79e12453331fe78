// An affiliate's own identities, for the self-referral rule: the IPs they sign in from (recorded at each sign-in,
// newest first, at most SIGN_IN_IPS_KEPT) and the IPs and customer ids managers list as theirs (validated, audited).
// Every change sends NOTIFY fraud_config in its transaction, so every server's engine reloads them on commit.
import { z } from "zod";
import { type Db, type Prisma, db as defaultDb } from "../db";
import { blockedReason } from "../webhooks/ssrf";
import { canonicalIp } from "./ip";
import { CONFIG_CHANNEL, notifyFraudConfigChanged } from "./runtime";
import { DomainError } from "../errors";

export const SIGN_IN_IPS_KEPT = 10;
const MAX_LISTED = 100;

/**
 * Records the IP an affiliate signed in from: first in their sign-in IPs (moved there if already listed; the
 * oldest beyond SIGN_IN_IPS_KEPT dropped), one statement, a NOTIFY only when the set changed. Addresses that are
 * not public (loopback, private, carrier-grade NAT, link-local…) are not recorded: they are a proxy's or the local
 * network's, shared by every visitor behind it — listing one would flag them all. Returns whether it was new.
 */
export async function recordSignInIp(affiliateId: string, rawIp: string | null, db: Db = defaultDb): Promise<boolean> {
  const ip = canonicalIp(rawIp);
  if (!ip || blockedReason(ip) !== null) return false;
  // pg_notify returns void, which no client can read: the column is cast to text.
  const rows = await db.$queryRaw<{ added: boolean }[]>`
    WITH before AS (
      SELECT id, COALESCE("signInIps", '{}') AS ips FROM affiliates WHERE id = ${affiliateId} FOR UPDATE
    ), changed AS (
      UPDATE affiliates a SET "signInIps" = (ARRAY[${ip}::text] || array_remove(before.ips, ${ip}::text))[1:${SIGN_IN_IPS_KEPT}::int]
      FROM before WHERE a.id = before.id AND before.ips[1] IS DISTINCT FROM ${ip}::text
      RETURNING NOT (${ip}::text = ANY (before.ips)) AS added
    )
    SELECT added, (CASE WHEN added THEN pg_notify(${CONFIG_CHANNEL}, 'identities:' || ${affiliateId}) END)::text AS notified FROM changed`;
  return rows[0]?.added === true;
}

const ipListSchema = z
  .array(z.string())
  .max(MAX_LISTED, `At most ${MAX_LISTED} IPs`)
  .transform((list, ctx) => {
    const out = new Set<string>();
    for (const raw of list) {
      if (raw.trim() === "") continue;
      const ip = canonicalIp(raw);
      if (ip) out.add(ip);
      else ctx.addIssue({ code: "custom", message: `"${raw.trim().slice(0, 60)}" is not an IPv4 or IPv6 address` });
    }
    return [...out];
  });

const customerListSchema = z
  .array(z.string().trim().max(128, "A customer id has at most 128 characters"))
  .max(MAX_LISTED, `At most ${MAX_LISTED} customer ids`)
  .transform((list) => [...new Set(list.filter((c) => c !== ""))]);

/** A manager's edit: the listed IPs and customer ids as a whole, and sign-in IPs to forget. */
export const identitiesUpdateSchema = z.object({
  affiliateId: z.string().min(1).max(100),
  knownIps: ipListSchema,
  knownCustomers: customerListSchema,
  forgetSignInIps: z.array(z.string().max(64)).max(SIGN_IN_IPS_KEPT * 2).default([]),
});

export type IdentitiesUpdate = z.output<typeof identitiesUpdateSchema>;

const identityFields = { id: true, name: true, email: true, knownIps: true, knownCustomers: true, signInIps: true } as const;

/** Affiliates with their identities, by name or email (at most 50), those with listed identities first. */
export async function listIdentities(db: Db, search: string | undefined) {
  const q = search?.trim();
  const where: Prisma.AffiliateWhereInput = q ? { OR: [{ name: { contains: q, mode: "insensitive" } }, { email: { contains: q, mode: "insensitive" } }] } : {};
  const [rows, total] = await Promise.all([db.affiliate.findMany({ where, select: identityFields, orderBy: { name: "asc" }, take: 50 }), db.affiliate.count({ where })]);
  const listed = (r: (typeof rows)[number]) => r.knownIps.length + r.knownCustomers.length + r.signInIps.length > 0;
  return { affiliates: [...rows.filter(listed), ...rows.filter((r) => !listed(r))], total };
}

export async function updateIdentities(db: Db, input: IdentitiesUpdate, actorId: string) {
  return db.$transaction(async (tx) => {
    const [before] = await tx.$queryRaw<{ knownIps: string[]; knownCustomers: string[]; signInIps: string[] }[]>`
      SELECT "knownIps", "knownCustomers", "signInIps" FROM affiliates WHERE id = ${input.affiliateId} FOR UPDATE`;
    if (!before) throw new DomainError("not_found", "That affiliate no longer exists.");
    const forget = new Set(input.forgetSignInIps);
    const after = { knownIps: input.knownIps, knownCustomers: input.knownCustomers, signInIps: (before.signInIps ?? []).filter((ip) => !forget.has(ip)) };
    const saved = await tx.affiliate.update({ where: { id: input.affiliateId }, data: after, select: identityFields });
    await tx.auditLog.create({
      data: { actorId, action: "fraud.identities.update", entityType: "affiliate", entityId: input.affiliateId, data: { before, after } as Prisma.InputJsonValue },
    });
    await notifyFraudConfigChanged(tx, `identities:${input.affiliateId}`);
    return saved;
  });
}

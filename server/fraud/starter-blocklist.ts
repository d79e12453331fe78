// The starter CIDR block list for the non-human-traffic rule: large, well-known address blocks of cloud and hosting
// providers, where scripted traffic comes from and real shoppers do not. It is a starting point, not a complete
// list — each provider publishes its current ranges (AWS ip-ranges.json, Google Cloud cloud.json, Azure service
// tags, the hosts' RIPE/ARIN registrations); managers extend or trim it on /manager/fraud/rules. VPN and corporate
// egress ranges are deliberately absent: real people browse through them.
import type pg from "pg";
import { inTransaction } from "../db/sql";
import { getPool } from "../db";
import type { BlockEntry } from "./ip";

/** The fraud_rule_configs row that remembers the starter list was seeded (like the thresholds' row, not a rule). */
const STARTER_SEEDED_CODE = "starter_blocklist";

export const STARTER_BLOCKLIST: readonly BlockEntry[] = [
  { cidr: "3.0.0.0/9", label: "Amazon Web Services (EC2)" },
  { cidr: "18.128.0.0/9", label: "Amazon Web Services (EC2)" },
  { cidr: "34.64.0.0/10", label: "Google Cloud" },
  { cidr: "35.184.0.0/13", label: "Google Cloud (us-central1)" },
  { cidr: "13.64.0.0/11", label: "Microsoft Azure" },
  { cidr: "40.64.0.0/10", label: "Microsoft Azure" },
  { cidr: "104.131.0.0/16", label: "DigitalOcean" },
  { cidr: "138.197.0.0/16", label: "DigitalOcean" },
  { cidr: "159.203.0.0/16", label: "DigitalOcean" },
  { cidr: "165.227.0.0/16", label: "DigitalOcean" },
  { cidr: "167.99.0.0/16", label: "DigitalOcean" },
  { cidr: "45.79.0.0/16", label: "Linode (Akamai)" },
  { cidr: "139.162.0.0/16", label: "Linode (Akamai)" },
  { cidr: "172.104.0.0/15", label: "Linode (Akamai)" },
  { cidr: "5.9.0.0/16", label: "Hetzner" },
  { cidr: "78.46.0.0/15", label: "Hetzner" },
  { cidr: "88.198.0.0/16", label: "Hetzner" },
  { cidr: "136.243.0.0/16", label: "Hetzner" },
  { cidr: "37.187.0.0/16", label: "OVHcloud" },
  { cidr: "145.239.0.0/16", label: "OVHcloud" },
  { cidr: "149.202.0.0/16", label: "OVHcloud" },
  { cidr: "45.32.0.0/16", label: "Vultr" },
  { cidr: "108.61.0.0/16", label: "Vultr" },
];

/**
 * Seeds the starter ranges once per database: the first boot records it (a `starter_blocklist` settings row) and
 * inserts them, unless ranges are already there; later boots find the row and leave the list as managers left it —
 * emptied on purpose included. Returns how many were added. Safe with several instances booting at once: the row's
 * insert decides which one seeds.
 */
export async function seedStarterBlocklist(pool: pg.Pool = getPool()): Promise<number> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, async () => {
      const first = await client.query(
        `INSERT INTO fraud_rule_configs (code, enabled, severity, params, "updatedAt")
         VALUES ($1, true, 0, jsonb_build_object('seededAt', now(), 'entries', $2::int), now())
         ON CONFLICT (code) DO NOTHING`,
        [STARTER_SEEDED_CODE, STARTER_BLOCKLIST.length],
      );
      if (first.rowCount === 0) return 0;
      const added = await client.query(
        `INSERT INTO ip_blocks (cidr, label)
         SELECT * FROM unnest($1::text[], $2::text[]) WHERE NOT EXISTS (SELECT 1 FROM ip_blocks)
         ON CONFLICT (cidr) DO NOTHING`,
        [STARTER_BLOCKLIST.map((b) => b.cidr), STARTER_BLOCKLIST.map((b) => b.label)],
      );
      return added.rowCount ?? 0;
    });
  } finally {
    client.release();
  }
}

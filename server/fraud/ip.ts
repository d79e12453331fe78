// IP parsing for the fraud rules: subnet keys (IPv4 /24, IPv6 /64 — what one household, office or small hosting
// block typically gets) and CIDR block-list matching. No dependency: Node's `net.isIP` validates, the rest is
// integer arithmetic (IPv4 as a number, IPv6 as a bigint).
import { isIP } from "node:net";

export type ParsedIp = { version: 4; value: number } | { version: 6; value: bigint };

const V4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIp(raw: string | null | undefined): ParsedIp | null {
  if (!raw) return null;
  // Dotted IPv4 first, without node:net: this runs for the click's and the conversion's IP on every evaluation.
  const v4 = V4.exec(raw) ?? V4.exec(raw.trim().replace(V4_MAPPED, "$1"));
  if (v4) {
    const [a, b, c, d] = [Number(v4[1]), Number(v4[2]), Number(v4[3]), Number(v4[4])];
    if (a > 255 || b > 255 || c > 255 || d > 255 || /(^|\.)0\d/.test(v4[0])) return null; // no leading zeros, as isIP
    return { version: 4, value: ((a * 256 + b) * 256 + c) * 256 + d };
  }
  const text = raw.trim();
  return isIP(text) === 6 ? { version: 6, value: parseV6(text) } : null;
}

function parseV6(text: string): bigint {
  const zone = text.indexOf("%");
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  const [head = "", tail] = bare.split("::");
  const groups = (s: string) => (s ? s.split(":") : []);
  const expand = (list: string[]) =>
    list.flatMap((g) => {
      if (!g.includes(".")) return [parseInt(g, 16)];
      const v4 = g.split(".").map(Number); // an embedded IPv4 tail (::ffff:1.2.3.4 and the like)
      return [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    });
  const left = expand(groups(head));
  const right = tail === undefined ? [] : expand(groups(tail));
  const all = [...left, ...Array(8 - left.length - right.length).fill(0), ...right] as number[];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/**
 * An address written the way clicks and postbacks carry it (dotted IPv4, IPv4-mapped IPv6 as IPv4, RFC 5952 IPv6),
 * so a listed IP matches by string; null when `raw` is not an address.
 */
export function canonicalIp(raw: string | null | undefined): string | null {
  const text = raw?.trim() ?? "";
  const ip = text.includes("%") ? null : parseIp(text);
  return ip ? formatAddress(ip) : null;
}

const DOTTED_V4 = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/;

/**
 * The subnet an IP belongs to, in CIDR text ("203.0.113.0/24", "2001:db8:1:2::/64"), used as a counter key and
 * shown as is in evidence. Dotted IPv4 — nearly every click — takes a regex, not a full parse.
 */
export function subnetKey(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const v4 = DOTTED_V4.exec(raw);
  if (v4) return `${v4[1]}.0/24`;
  const ip = parseIp(raw);
  if (!ip) return null;
  if (ip.version === 4) return `${formatAddress({ version: 4, value: Math.floor(ip.value / 256) * 256 })}/24`;
  return `${formatAddress({ version: 6, value: (ip.value >> 64n) << 64n })}/64`;
}

/** The /48 an IPv6 address belongs to ("2001:db8:1::/48"): coarser than its subnet key, for public texts. */
export function ipv6Network48(raw: string | null | undefined): string | null {
  const ip = parseIp(raw);
  return ip?.version === 6 ? `${formatAddress({ version: 6, value: (ip.value >> 80n) << 80n })}/48` : null;
}

export interface Cidr {
  version: 4 | 6;
  prefix: number;
  /** The network address with host bits cleared. */
  network: number | bigint;
  /** Canonical text, e.g. "34.64.0.0/10". */
  text: string;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; error: string };

/** Parses "a.b.c.d/len" or "v6::/len"; a bare address is a /32 (/128). Host bits set is an error, not a guess. */
export function parseCidr(raw: string): CidrResult {
  const text = raw.trim();
  const slash = text.indexOf("/");
  const address = slash >= 0 ? text.slice(0, slash) : text;
  const ip = parseIp(address);
  if (!ip || address.includes("%")) return { ok: false, error: `"${address}" is not an IPv4 or IPv6 address` };
  const max = ip.version === 4 ? 32 : 128;
  const prefixText = slash >= 0 ? text.slice(slash + 1) : String(max);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return { ok: false, error: `the prefix length must be a whole number from 0 to ${max}` };
  }
  const prefix = Number(prefixText);
  const network = maskOf(ip, prefix);
  if (network !== ip.value) {
    return { ok: false, error: `host bits are set: did you mean ${formatAddress({ ...ip, value: network } as ParsedIp)}/${prefix}?` };
  }
  return { ok: true, cidr: { version: ip.version, prefix, network, text: `${formatAddress(ip)}/${prefix}` } };
}

function maskOf(ip: ParsedIp, prefix: number): number | bigint {
  if (ip.version === 4) return prefix === 0 ? 0 : Math.floor(ip.value / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
  const hostBits = BigInt(128 - prefix);
  return (ip.value >> hostBits) << hostBits;
}

function formatAddress(ip: ParsedIp): string {
  if (ip.version === 4) return [24, 16, 8, 0].map((s) => Math.floor(ip.value / 2 ** s) % 256).join(".");
  const groups = ip.value.toString(16).padStart(32, "0").match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ""));
  // Compress the longest run of zero groups, as RFC 5952 writes addresses.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(":");
  return `${groups.slice(0, best.at).join(":")}::${groups.slice(best.at + best.len).join(":")}`;
}

export interface BlockEntry {
  cidr: string;
  label: string;
}

/**
 * A compiled block list. Lookups cost one map probe per distinct prefix length in the list (a handful), whatever
 * the list's size.
 */
export class CidrMatcher {
  private readonly v4 = new Map<number, Map<number, BlockEntry>>();
  private readonly v6 = new Map<number, Map<bigint, BlockEntry>>();

  constructor(entries: readonly BlockEntry[]) {
    for (const entry of entries) {
      const parsed = parseCidr(entry.cidr);
      if (!parsed.ok) continue; // rows are validated on write; a bad legacy row must not break matching
      const { cidr } = parsed;
      if (cidr.version === 4) {
        const byNet = this.v4.get(cidr.prefix) ?? new Map<number, BlockEntry>();
        byNet.set(cidr.network as number, entry);
        this.v4.set(cidr.prefix, byNet);
      } else {
        const byNet = this.v6.get(cidr.prefix) ?? new Map<bigint, BlockEntry>();
        byNet.set(cidr.network as bigint, entry);
        this.v6.set(cidr.prefix, byNet);
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const m of this.v4.values()) n += m.size;
    for (const m of this.v6.values()) n += m.size;
    return n;
  }

  match(raw: string | null | undefined): BlockEntry | null {
    const ip = parseIp(raw);
    if (!ip) return null;
    if (ip.version === 4) {
      for (const [prefix, byNet] of this.v4) {
        const hit = byNet.get(maskOf(ip, prefix) as number);
        if (hit) return hit;
      }
    } else {
      for (const [prefix, byNet] of this.v6) {
        const hit = byNet.get(maskOf(ip, prefix) as bigint);
        if (hit) return hit;
      }
    }
    return null;
  }
}

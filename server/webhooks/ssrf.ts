// SSRF guard for merchant webhook URLs. A merchant chooses where we POST, so without this they could make our
// servers call the cloud metadata service, the database or anything else on the private network.
// Checked twice: when the URL is saved (a clear form error) and when each request connects — the connect-time
// check runs inside the socket's DNS lookup, so the address we vet is the address we connect to and a DNS answer
// that changes between the two (rebinding) cannot slip a private address in.
import dns from "node:dns";
import net, { BlockList } from "node:net";
import { env } from "../env";

/**
 * Address ranges no webhook may reach, with the label shown in errors; the first match names the refusal. IPv6
 * forms that carry an IPv4 address inside (mapped, compatible, translated, 6to4, NAT64, Teredo) are refused whole
 * rather than decoded: none of them is a way a real webhook receiver is reached, and each can smuggle 127.0.0.1.
 */
const BLOCKED_RANGES: ReadonlyArray<readonly [cidr: string, label: string]> = [
  ["0.0.0.0/8", "unspecified"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "carrier-grade NAT"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local (cloud metadata)"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "IETF protocol assignments"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["::ffff:0:0/96", "IPv4-mapped IPv6"],
  ["::/96", "IPv4-compatible IPv6"],
  ["::ffff:0:0:0/96", "IPv4-translated IPv6"],
  ["64:ff9b::/96", "NAT64"],
  ["64:ff9b:1::/48", "NAT64"],
  ["100::/64", "discard-only"],
  ["2001::/32", "Teredo"],
  ["2001:db8::/32", "documentation"],
  ["2002::/16", "6to4"],
  ["fc00::/7", "unique-local"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local"],
  ["ff00::/8", "multicast"],
];

// One BlockList per range so a refusal can say which rule matched, checked only against addresses of its own family:
// Node's BlockList also matches IPv4 addresses against IPv6 rules as if they were IPv4-mapped (so `::ffff:0:0/96`
// would match 8.8.8.8) and IPv4-mapped IPv6 addresses against IPv4 rules.
const blockedLists = BLOCKED_RANGES.map(([cidr, label]) => ({ label, family: net.isIP(cidr.split("/")[0]!), list: subnetList([cidr]) }));

function subnetList(cidrs: Iterable<string>): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = "", bits] = cidr.split("/");
    const family = net.isIP(address);
    if (!family) throw new Error(`not an IP address or CIDR: ${cidr}`);
    const type = family === 4 ? "ipv4" : "ipv6";
    list.addSubnet(address, bits === undefined ? (family === 4 ? 32 : 128) : Number(bits), type);
  }
  return list;
}

/** Why an address is refused ("loopback", "private", …), or null when it is a public address. */
export function blockedReason(address: string): string | null {
  const family = net.isIP(address);
  if (!family) return "not an IP address";
  const type = family === 4 ? "ipv4" : "ipv6";
  return blockedLists.find((rule) => rule.family === family && rule.list.check(address, type))?.label ?? null;
}

export interface TargetPolicy {
  /** Host names (lower case) allowed whatever they resolve to. */
  allowedHosts: ReadonlySet<string>;
  /** Addresses allowed despite the blocked ranges. */
  allowedAddresses: BlockList;
  /** Refuse plain http unless the host is allow-listed (production). */
  requireHttps: boolean;
}

/** Parses WEBHOOK_ALLOWED_HOSTS: comma-separated host names, IP addresses and CIDRs. */
export function parsePolicy(allowList: string, requireHttps: boolean): TargetPolicy {
  const entries = allowList.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  const isAddress = (entry: string) => net.isIP(entry.split("/")[0]!.replace(/^\[|\]$/g, "")) !== 0;
  return {
    allowedHosts: new Set(entries.filter((e) => !isAddress(e))),
    allowedAddresses: subnetList(entries.filter(isAddress).map((e) => e.replace(/^\[|\]$/g, ""))),
    requireHttps,
  };
}

let cachedPolicy: { key: string; policy: TargetPolicy } | undefined;

export function policyFromEnv(): TargetPolicy {
  const { WEBHOOK_ALLOWED_HOSTS, NODE_ENV } = env();
  const key = `${NODE_ENV}|${WEBHOOK_ALLOWED_HOSTS}`;
  if (cachedPolicy?.key !== key) {
    cachedPolicy = { key, policy: parsePolicy(WEBHOOK_ALLOWED_HOSTS, NODE_ENV === "production") };
  }
  return cachedPolicy.policy;
}

/** A URL we will not call; the message reads as a sentence for the form and the delivery log ("URL is refused: …"). */
export class BlockedTargetError extends Error {
  readonly code = "ESSRF";
  constructor(problem: string) {
    super(`URL ${problem}`);
  }
}

function addressAllowListed(address: string, policy: TargetPolicy): boolean {
  const family = net.isIP(address);
  return family !== 0 && policy.allowedAddresses.check(address, family === 4 ? "ipv4" : "ipv6");
}

function addressAllowed(address: string, policy: TargetPolicy): boolean {
  return addressAllowListed(address, policy) || blockedReason(address) === null;
}

/**
 * The refusal of a blocked address. It never names the address a host name resolved to, nor which range it is in:
 * the message reaches merchants (form, delivery log), and the answers of our internal DNS are not theirs to learn.
 * A literal address is the merchant's own input, said back as they typed it (normalized).
 */
function refusal(address: string, host = address): BlockedTargetError {
  return new BlockedTargetError(`is refused: ${host} ${host === address ? "is" : "resolves to"} a private or reserved address`);
}

/** The URL's host without IPv6 brackets, lower case (WHATWG URL already turns 127.1 or 2130706433 into 127.0.0.1). */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

/**
 * Checks what needs no DNS: scheme, credentials, https in production, and literal IP hosts. Returns the parsed
 * URL and whether its host is allow-listed by name (then nothing else is checked).
 */
export function checkUrlShape(raw: string, policy: TargetPolicy): { url: URL; hostAllowed: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedTargetError("is not valid");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new BlockedTargetError("must be an http(s) URL");
  if (url.username || url.password) throw new BlockedTargetError("must not contain credentials");
  const host = bareHost(url);
  // An allow-listed name, or a literal address inside an allow-listed range, counts as an allow-listed host.
  const hostAllowed = policy.allowedHosts.has(host) || (net.isIP(host) !== 0 && addressAllowListed(host, policy));
  if (policy.requireHttps && url.protocol !== "https:" && !hostAllowed) throw new BlockedTargetError("must use https");
  if (!hostAllowed && net.isIP(host) && !addressAllowed(host, policy)) throw refusal(host);
  return { url, hostAllowed };
}

export type Resolver = (host: string) => Promise<string[]>;

export const resolveAll: Resolver = async (host) =>
  (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Save-time check: the URL's shape, then every address its host resolves to. Throws BlockedTargetError with a
 * message fit for the form ("URL is refused: localhost resolves to a private or reserved address").
 */
export async function vetUrl(raw: string, policy: TargetPolicy, resolve: Resolver = resolveAll): Promise<URL> {
  const { url, hostAllowed } = checkUrlShape(raw, policy);
  const host = bareHost(url);
  if (hostAllowed || net.isIP(host)) return url;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    throw new BlockedTargetError(`is refused: ${host} does not resolve`);
  }
  if (addresses.length === 0) throw new BlockedTargetError(`is refused: ${host} does not resolve`);
  for (const address of addresses) if (!addressAllowed(address, policy)) throw refusal(address, host);
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;
/** dns.lookup with `all: true` (tests pass one that answers what a rebinding attacker's DNS would). */
export type DnsLookup = (host: string, callback: (error: NodeJS.ErrnoException | null, answers: dns.LookupAddress[]) => void) => void;
const systemLookup: DnsLookup = (host, callback) => dns.lookup(host, { all: true }, callback);

/**
 * A `lookup` for http(s).request: resolves like dns.lookup, refuses when ANY answer is blocked (an attacker's
 * name answering one public and one private address must not win half the time), and hands the socket the
 * vetted addresses — so the connection goes exactly where the check looked.
 */
export function guardedLookup(policy: TargetPolicy, resolve: DnsLookup = systemLookup) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
    resolve(host, (error, answers) => {
      if (error) return callback(error, []);
      const list = options.family ? answers.filter((a) => a.family === options.family) : answers;
      if (!policy.allowedHosts.has(host)) {
        const bad = list.find((a) => !addressAllowed(a.address, policy));
        if (bad) return callback(refusal(bad.address, host), []);
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`host ${host} does not resolve`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}

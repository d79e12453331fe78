import type dns from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpSender } from "./send";
import { generateSecret, signHeaders } from "./signing";
import { blockedReason, checkUrlShape, parsePolicy, vetUrl } from "./ssrf";
import { type Receiver, startReceiver } from "./test-receiver";

const strict = parsePolicy("", false);
const production = parsePolicy("", true);
const publicDns = async () => ["93.184.216.34"];

describe("blocked address ranges", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.0.0.5", "private"],
    ["172.16.3.4", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local (cloud metadata)"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fd12:3456::1", "unique-local"],
    ["fe80::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "IPv4-mapped IPv6"],
    ["::ffff:8.8.8.8", "IPv4-mapped IPv6"],
    ["0:0:0:0:0:ffff:7f00:1", "IPv4-mapped IPv6"], // uncompressed spelling
    ["::7f00:1", "IPv4-compatible IPv6"], // ::127.0.0.1
    ["::a9fe:a9fe", "IPv4-compatible IPv6"], // ::169.254.169.254
    ["::ffff:0:7f00:1", "IPv4-translated IPv6"],
    ["2002:7f00:1::1", "6to4"], // 6to4 for 127.0.0.1
    ["2002:808:808::1", "6to4"], // even for a public IPv4: refused whole, never decoded
    ["64:ff9b::a00:5", "NAT64"],
    ["64:ff9b:1::a9fe:a9fe", "NAT64"], // local-use NAT64
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"],
    ["100::1", "discard-only"],
    ["2001:db8::1", "documentation"],
    ["fec0::1", "site-local"],
  ])("%s is refused as %s", (address, label) => {
    expect(blockedReason(address)).toBe(label);
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "2001:4860:4860::8888", "2003::1"])("%s is public", (address) => {
    expect(blockedReason(address)).toBeNull();
  });
});

describe("save-time check (vetUrl)", () => {
  it.each([
    ["http://127.0.0.1/hook", "URL is refused: 127.0.0.1 is a private or reserved address"],
    ["http://10.0.0.5/hook", "URL is refused: 10.0.0.5 is a private or reserved address"],
    ["http://169.254.169.254/latest/meta-data/", "URL is refused: 169.254.169.254 is a private or reserved address"],
    ["http://[::1]:8080/hook", "URL is refused: ::1 is a private or reserved address"],
    ["http://2130706433/hook", "URL is refused: 127.0.0.1 is a private or reserved address"], // decimal 127.0.0.1
    ["http://[::ffff:a00:5]/hook", "URL is refused: ::ffff:a00:5 is a private or reserved address"],
    ["http://[::127.0.0.1]/hook", "URL is refused: ::7f00:1 is a private or reserved address"],
    ["http://[2002:7f00:1::]/hook", "URL is refused: 2002:7f00:1:: is a private or reserved address"],
    ["http://[64:ff9b:1::7f00:1]/hook", "URL is refused: 64:ff9b:1::7f00:1 is a private or reserved address"],
    ["http://[2001::1]/hook", "URL is refused: 2001::1 is a private or reserved address"],
  ])("refuses %s", async (url, message) => {
    await expect(vetUrl(url, strict, publicDns)).rejects.toThrow(message);
  });

  it("refuses a name that resolves to loopback (localhost, real DNS)", async () => {
    await expect(vetUrl("http://localhost:3000/hook", strict)).rejects.toThrow(/^URL is refused: localhost resolves to a private or reserved address$/);
  });

  it("refuses a name whose AAAA record embeds a loopback IPv4 address, without naming the address or its range", async () => {
    const refused = await vetUrl("https://hooks.example.com/x", strict, async () => ["2002:7f00:1::1"]).catch((error: Error) => error);
    expect((refused as Error).message).toBe("URL is refused: hooks.example.com resolves to a private or reserved address");
    expect((refused as Error).message).not.toMatch(/2002|6to4/);
  });

  it("refuses a name if ANY of its addresses is private", async () => {
    const mixed = async () => ["93.184.216.34", "10.1.2.3"];
    await expect(vetUrl("https://hooks.example.com/x", strict, mixed)).rejects.toThrow(/^URL is refused: hooks\.example\.com resolves to a private or reserved address$/);
  });

  it("accepts a public https URL", async () => {
    const url = await vetUrl("https://hooks.example.com/x?a=1", production, publicDns);
    expect(url.href).toBe("https://hooks.example.com/x?a=1");
  });

  it("refuses other schemes, credentials, unresolvable hosts and — in production — plain http", async () => {
    await expect(vetUrl("ftp://hooks.example.com/", strict, publicDns)).rejects.toThrow("must be an http(s) URL");
    await expect(vetUrl("https://user:pw@hooks.example.com/", strict, publicDns)).rejects.toThrow("must not contain credentials");
    await expect(vetUrl("not a url", strict, publicDns)).rejects.toThrow("URL is not valid");
    await expect(vetUrl("https://nowhere.invalid/", strict, async () => [])).rejects.toThrow("does not resolve");
    await expect(vetUrl("http://hooks.example.com/", production, publicDns)).rejects.toThrow("must use https");
    await expect(vetUrl("http://hooks.example.com/", strict, publicDns)).resolves.toBeInstanceOf(URL);
  });

  it("lets the allow-list (hosts and CIDRs) through, and plain http to an allow-listed host in production", async () => {
    const allow = parsePolicy("localhost, 10.0.0.0/8, ::1", true);
    await expect(vetUrl("http://localhost:3000/", allow)).resolves.toBeInstanceOf(URL);
    await expect(vetUrl("https://10.0.0.5/", allow)).resolves.toBeInstanceOf(URL);
    await expect(vetUrl("https://[::1]/", allow)).resolves.toBeInstanceOf(URL);
    await expect(vetUrl("http://10.0.0.5/", allow)).resolves.toBeInstanceOf(URL); // an allow-listed address is an allow-listed host
    await expect(vetUrl("http://192.168.0.1/", parsePolicy("192.168.0.0/16", true))).resolves.toBeInstanceOf(URL);
    await expect(vetUrl("http://hooks.example.com/", parsePolicy("10.0.0.0/8", true), async () => ["10.0.0.7"])).rejects.toThrow("must use https");
    await expect(vetUrl("https://127.0.0.1/", allow)).rejects.toThrow("127.0.0.1 is a private or reserved address");
    expect(checkUrlShape("https://LOCALHOST/", allow).hostAllowed).toBe(true);
  });
});

describe("send-time check", () => {
  const secret = generateSecret();
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver({ secrets: [secret] });
  });
  afterAll(async () => {
    expect(receiver.rejected).toEqual([]);
    await receiver.close();
  });
  const port = () => new URL(receiver.url).port;
  const request = (url: string) => ({ url, body: "{}", headers: signHeaders("evt_ssrf_test", "{}", [secret], new Date()) });

  it("refuses a literal loopback URL saved before the rules (or edited in the database) without connecting", async () => {
    const sender = createHttpSender(strict);
    const result = await sender.send(request(receiver.url));
    sender.close();
    expect(result).toMatchObject({ statusCode: null, error: "URL is refused: 127.0.0.1 is a private or reserved address" });
    expect(receiver.requests).toHaveLength(0);
  });

  it("re-resolves at connect time: a name that passed the save-time check but now resolves to loopback is refused", async () => {
    // DNS rebinding: public when saved, 127.0.0.1 when we connect.
    await expect(vetUrl(`http://rebind.example:${port()}/hook`, strict, publicDns)).resolves.toBeInstanceOf(URL);
    const rebound = (_host: string, cb: (e: null, a: dns.LookupAddress[]) => void) => cb(null, [{ address: "127.0.0.1", family: 4 }]);
    const sender = createHttpSender(strict, 2_000, rebound);
    const result = await sender.send(request(`http://rebind.example:${port()}/hook`));
    sender.close();
    expect(result.error).toBe("URL is refused: rebind.example resolves to a private or reserved address");
    expect(receiver.requests).toHaveLength(0);
  });

  it("connects to the vetted address when the name is allowed", async () => {
    const sender = createHttpSender(parsePolicy("127.0.0.1, ::1", false));
    const result = await sender.send(request(`http://localhost:${port()}/hook`));
    sender.close();
    expect(result).toMatchObject({ statusCode: 200, excerpt: "ok", error: null });
    expect(receiver.requests).toHaveLength(1);
  });
});

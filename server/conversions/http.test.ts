// The HTTP edges of /api/postback: JSON keys that are not plain parameters, requests refused before the core
// (413, 415) still logged like any other, bodies read only up to the limit (our server and Next's handler), and
// the sender's address under Next taken the way our server takes it.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { clickIdFor, createProgram, unique } from "../testing/fixtures";
import { MAX_BODY_BYTES, handlePostbackRequest } from "./http";
import { type PostbackClient, startPostbackServer } from "./testing";

let api: PostbackClient;
beforeAll(async () => {
  api = await startPostbackServer();
});
afterAll(() => api.close());

const logsOf = (merchantId: string) => db.postbackLog.findMany({ where: { merchantId }, orderBy: { receivedAt: "asc" } });

describe("JSON bodies", () => {
  it("treats __proto__ as an unknown parameter: nothing under it is used, and the log shows it as sent", async () => {
    const { merchant, link } = await createProgram({ offer: { payoutModel: "REVSHARE" } });
    const headers = { "x-postback-token": merchant.postbackToken };
    const hidden = await api.post(`{"click_id":"${clickIdFor(link.id)}","__proto__":{"txn_id":"smuggled","amount":"10.00"}}`, "application/json", headers);
    expect(hidden).toMatchObject({ status: 400, body: { error: { code: "invalid_params", message: expect.stringContaining("txn_id: required") } } });

    const txn = unique("proto");
    const plain = await api.post(`{"click_id":"${clickIdFor(link.id)}","txn_id":"${txn}","amount":"20.00","__proto__":{"amount":"99999.00"}}`, "application/json", headers);
    expect(plain).toMatchObject({ status: 200, body: { status: "created" } });
    const conversion = await db.conversion.findFirstOrThrow({ where: { merchantId: merchant.id, txnId: txn } });
    expect(conversion.amountMinor).toBe(2000);

    const logs = await logsOf(merchant.id);
    expect(logs.map((l) => l.reasonCode)).toEqual(["invalid_params", "created"]);
    expect(logs[0]!.params).toMatchObject({ __proto__: '{"txn_id":"smuggled","amount":"10.00"}' });
    expect(logs[1]!.params).toMatchObject({ txn_id: txn, amount: "20.00", __proto__: '{"amount":"99999.00"}' });
    expect(await db.conversion.count({ where: { merchantId: merchant.id, txnId: "smuggled" } })).toBe(0);
  });
});

describe("bodies refused before the core", () => {
  it("logs a 413 and a 415 with the query's parameters made storable, under the merchant of the token", async () => {
    const { merchant } = await createProgram();
    const txn = unique("big");
    // NUL (jsonb cannot hold it) and a broken UTF-8 sequence in the query.
    const query = `?token=${merchant.postbackToken}&txn_id=${txn}%00x&sub1=%ED%A0%80`;
    const tooLarge = await api.post(JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES) }), "application/json", {}, query);
    expect(tooLarge).toMatchObject({ status: 413, body: { error: { code: "payload_too_large" } } });
    const unsupported = await api.post("txn_id=1", "text/plain", {}, query);
    expect(unsupported).toMatchObject({ status: 415, body: { error: { code: "unsupported_media_type" } } });

    const logs = await logsOf(merchant.id);
    expect(logs).toEqual([
      expect.objectContaining({ outcome: "REJECTED", reasonCode: "payload_too_large", httpStatus: 413, method: "POST" }),
      expect.objectContaining({ outcome: "REJECTED", reasonCode: "unsupported_media_type", httpStatus: 415 }),
    ]);
    for (const log of logs) {
      expect(log.params).toEqual({ txn_id: `${txn}\uFFFDx`, sub1: "\uFFFD\uFFFD\uFFFD" });
    }
  });

  it("logs a refusal without a merchant when the token is missing or wrong", async () => {
    const txn = unique("anon");
    const res = await api.post("x".repeat(MAX_BODY_BYTES + 1), "application/json", {}, `?token=pbt_wrong&txn_id=${txn}`);
    expect(res.status).toBe(413);
    const logged = await db.postbackLog.findFirstOrThrow({ where: { params: { path: ["txn_id"], equals: txn } } });
    expect(logged).toMatchObject({ merchantId: null, reasonCode: "payload_too_large" });
    expect(JSON.stringify(logged.params)).not.toContain("pbt_wrong");
  });
});

describe("body limit on our server", () => {
  /** A raw HTTP/1.1 exchange: writes `head` and `body`, never ends the request, collects the answer until close. */
  function rawExchange(head: string, body: Buffer[]): Promise<{ response: string; closed: boolean }> {
    const { port, hostname } = new URL(api.baseUrl);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname);
      let response = "";
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ response, closed: false });
      }, 10_000);
      socket.on("connect", () => {
        socket.write(head);
        for (const chunk of body) socket.write(chunk);
      });
      socket.on("data", (data) => (response += data.toString("latin1")));
      socket.on("error", () => {}); // a reset after the answer: the server closed while we were still sending
      socket.on("close", () => {
        clearTimeout(timer);
        resolve({ response, closed: true });
      });
      socket.on("timeout", reject);
    });
  }

  it("answers 413 at once to a declared length over the limit, and closes the connection", async () => {
    const { merchant } = await createProgram();
    const head = `POST /api/postback?token=${merchant.postbackToken}&txn_id=${unique("cl")} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n`;
    const { response, closed } = await rawExchange(head, [Buffer.from("{")]);
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toMatch(/connection: close/i);
    expect(closed).toBe(true);
  });

  it("stops reading a chunked body past the limit: 413 while the client is still sending, then the connection closes", async () => {
    const { merchant } = await createProgram();
    const head = `POST /api/postback?token=${merchant.postbackToken}&txn_id=${unique("chunk")} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunk = Buffer.concat([Buffer.from(`1000\r\n`), Buffer.alloc(0x1000, "a"), Buffer.from("\r\n")]);
    // 5 × 4 KiB = 20 KiB sent, and the terminating chunk never is: an answer can only come from the limit.
    const { response, closed } = await rawExchange(head, Array.from({ length: 5 }, () => chunk));
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('"code":"payload_too_large"');
    expect(closed).toBe(true);
    expect((await logsOf(merchant.id)).map((l) => l.reasonCode)).toEqual(["payload_too_large"]);
  });
});

describe("Next's route handler", () => {
  it("streams the body with the limit: an endless chunked body gets 413 and is cancelled", async () => {
    const { merchant } = await createProgram();
    let sent = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 4096;
        controller.enqueue(new Uint8Array(4096));
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request(`http://localhost/api/postback?token=${merchant.postbackToken}&txn_id=${unique("next")}`, {
      method: "POST",
      body: endless,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    const res = await handlePostbackRequest(request, api.deps, 0);
    expect(res.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThanOrEqual(MAX_BODY_BYTES + 3 * 4096); // what the stream had queued, not more
    expect((await logsOf(merchant.id)).map((l) => l.reasonCode)).toEqual(["payload_too_large"]);
  });

  it("believes X-Forwarded-For only for TRUST_PROXY hops, like our server", async () => {
    const { merchant, link } = await createProgram();
    const send = async (trustedHops: number) => {
      const txn = unique("ip");
      const url = `http://localhost/api/postback?${new URLSearchParams({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: txn })}`;
      const res = await handlePostbackRequest(new Request(url, { headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.7, 10.0.0.2" } }), api.deps, trustedHops);
      expect(res.status).toBe(200);
      return (await db.postbackLog.findFirstOrThrow({ where: { merchantId: merchant.id, params: { path: ["txn_id"], equals: txn } } })).ip;
    };
    expect(await send(0)).toBeNull(); // the client wrote that header: not believed
    expect(await send(1)).toBe("10.0.0.2");
    expect(await send(2)).toBe("203.0.113.7");
  });
});

// A real webhook receiver on 127.0.0.1 for tests, the e2e spec and the benchmark. Like a merchant's receiver it
// verifies every request's Standard Webhooks signature (standardwebhooks' verify, on the raw body) against the
// secrets it was given — any one verifying is enough, as during a rotation — and answers 401 to a request none
// verifies, without asking `reply`. Otherwise it answers what `reply` says: any status, headers or body, or
// "hang" (accept the connection, never answer), like a dead endpoint.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface ReceivedRequest {
  headers: Record<string, string>;
  body: string;
  /** Epoch ms when the body was fully read. */
  receivedAt: number;
  /** Whether one of the receiver's secrets verified the signature. */
  verified: boolean;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string } | "hang";

export interface Receiver {
  url: string;
  /** Every request, verified or not. */
  requests: ReceivedRequest[];
  /** Requests no secret verified (answered 401): a test asserts there are none. */
  readonly rejected: ReceivedRequest[];
  /** The endpoints' secrets (`whsec_…`); add one as soon as it is known. */
  secrets: string[];
  /** Decides each verified request's answer (default 200 "ok"). */
  reply: (request: ReceivedRequest, index: number) => Reply;
  /** Resolves when `count` requests have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves with the first request `match` accepts, once it has arrived. */
  waitForRequest(match: (request: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  secrets?: string[];
  reply?: Receiver["reply"];
}

export async function startReceiver({ secrets = [], reply = () => ({ status: 200, body: "ok" }) }: ReceiverOptions = {}): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const receiver = {
    requests,
    secrets: [...secrets],
    reply,
    get rejected() {
      return requests.filter((r) => !r.verified);
    },
  } as Receiver;
  const verifies = (body: string, headers: Record<string, string>) =>
    receiver.secrets.some((secret) => {
      try {
        new Webhook(secret).verify(body, headers);
        return true;
      } catch {
        return false;
      }
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const body = Buffer.concat(chunks).toString("utf8");
      const request = { headers, body, receivedAt: Date.now(), verified: verifies(body, headers) };
      const index = requests.push(request) - 1;
      for (const wake of [...waiters]) wake();
      const answer = request.verified ? receiver.reply(request, index) : { status: 401, body: "signature does not verify" };
      if (answer === "hang") return;
      res.writeHead(answer.status, answer.headers).end(answer.body ?? "");
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const waitUntil = <T>(found: () => T | undefined, timeoutMs: number, what: () => string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value === undefined) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => (waiters.delete(check), reject(new Error(what()))), timeoutMs);
      if (!check()) waiters.add(check);
    });
  receiver.waitFor = (count, timeoutMs = 20_000) =>
    waitUntil(() => (requests.length >= count ? true : undefined), timeoutMs, () => `receiver got ${requests.length}/${count} requests`).then(() => {});
  receiver.waitForRequest = (match, timeoutMs = 20_000) =>
    waitUntil(() => requests.find(match), timeoutMs, () => `no matching request among the ${requests.length} received`);
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

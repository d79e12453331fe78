// A real webhook receiver on 127.0.0.1 for tests, the e2e spec and the benchmark: records every request and can
// answer with any status, headers or body — or hang (accept the connection, never answer), like a dead endpoint.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  headers: Record<string, string>;
  body: string;
  /** Epoch ms when the body was fully read. */
  receivedAt: number;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string } | "hang";

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Decides each answer (default 200 "ok"). */
  reply: (request: ReceivedRequest, index: number) => Reply;
  /** Resolves when `count` requests have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(reply: Receiver["reply"] = () => ({ status: 200, body: "ok" })): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const receiver = { requests, reply } as Receiver;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const request = { headers, body: Buffer.concat(chunks).toString("utf8"), receivedAt: Date.now() };
      const index = requests.push(request) - 1;
      for (const w of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const answer = receiver.reply(request, index);
      if (answer === "hang") return;
      res.writeHead(answer.status, answer.headers).end(answer.body ?? "");
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.waitFor = (count, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      if (requests.length >= count) return resolve();
      const timer = setTimeout(() => reject(new Error(`receiver got ${requests.length}/${count} requests`)), timeoutMs);
      waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

// One HTTP POST of a webhook: bounded in time (10 s for the whole exchange) and in what we read back (a 1 KB
// excerpt for the log; the rest is drained up to a cap so the keep-alive socket can be reused, else dropped).
// Sockets connect through the SSRF guard's lookup, so the vetted address is the one connected to.
import http from "node:http";
import https from "node:https";
import type { AttemptResult } from "./schedule";
import { BlockedTargetError, checkUrlShape, type DnsLookup, guardedLookup, type TargetPolicy } from "./ssrf";

export const SEND_TIMEOUT_MS = 10_000;
export const EXCERPT_BYTES = 1024;
const DRAIN_CAP_BYTES = 64 * 1024;
const USER_AGENT = "AffiliatePlatform-Webhooks/1.0";

export interface SendRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Aborts the request (relay shutdown); the timeout is added here. */
  signal?: AbortSignal;
}

export type Sender = (request: SendRequest) => Promise<AttemptResult>;

export interface HttpSender {
  send: Sender;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

export function createHttpSender(policy: TargetPolicy, timeoutMs = SEND_TIMEOUT_MS, resolve?: DnsLookup): HttpSender {
  // Every socket is opened by these agents, so the guarded lookup on them vets every connection.
  const lookup = guardedLookup(policy, resolve);
  const agents = {
    "http:": new http.Agent({ keepAlive: true, lookup } as http.AgentOptions),
    "https:": new https.Agent({ keepAlive: true, lookup } as https.AgentOptions),
  };

  const send: Sender = async ({ url: raw, body, headers, signal }) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = checkUrlShape(raw, policy).url;
    } catch (error) {
      return failure(elapsed(), describeError(error, timeoutMs));
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const transport = url.protocol === "https:" ? https : http;
    return new Promise<AttemptResult>((resolve) => {
      const request = transport.request(
        url,
        {
          method: "POST",
          agent: agents[url.protocol as "http:" | "https:"],
          signal: combined,
          headers: {
            ...headers,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "user-agent": USER_AGENT,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          let seen = 0;
          response.on("data", (chunk: Buffer) => {
            seen += chunk.length;
            if (kept < EXCERPT_BYTES) {
              chunks.push(chunk.subarray(0, EXCERPT_BYTES - kept));
              kept += Math.min(chunk.length, EXCERPT_BYTES - kept);
            }
            if (seen > DRAIN_CAP_BYTES) response.destroy();
          });
          const done = () =>
            resolve({
              statusCode: response.statusCode ?? null,
              latencyMs: elapsed(),
              excerpt: kept ? Buffer.concat(chunks).toString("utf8") : null,
              retryAfter: headerValue(response.headers["retry-after"]),
              error: null,
            });
          response.on("end", done);
          // A body cut short (our drain cap, or the peer) still leaves a status code worth recording.
          response.on("close", done);
          response.on("error", () => {});
        },
      );
      request.on("error", (error) => resolve(failure(elapsed(), describeError(error, timeoutMs, timeout.aborted))));
      request.end(body);
    });
  };

  return {
    send,
    close: () => {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}

function failure(latencyMs: number, error: string): AttemptResult {
  return { statusCode: null, latencyMs, excerpt: null, retryAfter: null, error };
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** A log-safe one-liner: never the request (its headers carry signatures), only what went wrong. */
function describeError(error: unknown, timeoutMs: number, timedOut = false): string {
  if (timedOut) return `timed out after ${timeoutMs / 1000} s`;
  if (error instanceof BlockedTargetError) return error.message;
  const { code, message, name } = error as NodeJS.ErrnoException;
  if (name === "AbortError") return "aborted (relay shutting down)";
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset by the endpoint",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "DNS lookup failed (temporary)",
    EHOSTUNREACH: "host unreachable",
    ETIMEDOUT: "connect timed out",
    CERT_HAS_EXPIRED: "TLS certificate expired",
    DEPTH_ZERO_SELF_SIGNED_CERT: "TLS certificate is self-signed",
    ERR_TLS_CERT_ALTNAME_INVALID: "TLS certificate does not match the host",
  };
  return (code && known[code]) ?? (message || String(error)).slice(0, 200);
}

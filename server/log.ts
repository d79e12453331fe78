// The one logger (pino): levels, JSON lines in production (for the log pipeline), pretty lines elsewhere
// ("INFO [server] ready"). Each module takes a child with its tag: `const log = logger("webhooks")`.
// A request id rides on every line written while a request is handled (server/http/server.ts runs each request in
// `withRequestId`; Next's handlers, tRPC included, run inside it). Secrets are redacted by path (REDACTED_PATHS)
// and any `token=…` in a string (a postback URL) is masked, so a postback token never reaches a log line.
// LOG_LEVEL sets the level (default info).
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";

const requests = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` with `requestId` on every log line it (and what it awaits) writes. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requests.run({ requestId }, fn);
}

/** A client's X-Request-Id when it looks like one (so it can be followed across services), or a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && /^[\w.:-]{8,100}$/.test(header) ? header : randomUUID();
}

export const currentRequestId = (): string | undefined => requests.getStore()?.requestId;

/** Fields that are secrets wherever they appear (top level or one level down: `{ req: { headers: … } }`). */
export const REDACTED_PATHS = [
  "token", "*.token", "postbackToken", "*.postbackToken", "password", "*.password", "passwordHash", "*.passwordHash",
  "secret", "*.secret", "signingSecret", "*.signingSecret", "authorization", "*.authorization", "cookie", "*.cookie",
  "headers.authorization", "headers.cookie", "*.headers.authorization", "*.headers.cookie", "*.headers[\"x-postback-token\"]",
];

const TOKEN_IN_TEXT = /([?&;\s]token=)[^&\s"]*/gi;
const scrub = (text: string) => text.replace(TOKEN_IN_TEXT, "$1[redacted]");

/** Where lines go: swapped by captureLogsForTests(); otherwise stdout (pretty outside production). */
let output: DestinationStream | undefined;
let captured: string[] | undefined;
const sink: DestinationStream = {
  write(line: string) {
    if (captured) captured.push(line);
    else (output ??= process.env.NODE_ENV === "production" ? pino.destination(1) : pretty({ sync: true, messageFormat: "[{tag}] {msg}", ignore: "pid,hostname,tag", translateTime: "HH:MM:ss.l" })).write(line);
  },
};

const root: Logger = pino(
  {
    level: process.env.LOG_LEVEL ?? "info",
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    formatters: {
      // Whatever object is logged: a `url` field (a request's) loses its token.
      log: (object) => (typeof object.url === "string" ? { ...object, url: scrub(object.url) } : object),
    },
    hooks: {
      // Strings in the message (and its interpolation arguments) lose any token=… too.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === "string" ? scrub(a) : a)) as Parameters<typeof method>);
      },
    },
  },
  sink,
);

const children = new Set<Logger>();

/** A module's logger: every line carries `tag`. */
export function logger(tag: string): Logger {
  const child = root.child({ tag });
  children.add(child);
  return child;
}

/** Tests: the JSON lines written until `stop()`, at `level` (nothing reaches stdout meanwhile). */
export function captureLogsForTests(level = "trace") {
  const lines: string[] = [];
  const before = root.level;
  const setLevel = (to: string) => {
    root.level = to;
    for (const child of children) child.level = to;
  };
  captured = lines;
  setLevel(level);
  return {
    lines,
    stop() {
      captured = undefined;
      setLevel(before);
    },
  };
}

const tagged = new Map<string, Logger>();
const byTag = (tag: string) => tagged.get(tag) ?? (tagged.set(tag, logger(tag)), tagged.get(tag)!);

const lineTo = (level: "info" | "error") => (line: string): void => {
  const match = /^\s*\[([\w.-]+)\]\s*([\s\S]*)$/.exec(line);
  byTag(match?.[1] ?? "app")[level]((match?.[2] ?? line).trim());
};

/**
 * For code that reports progress as lines ("[db] migrations: up to date"): the line's leading [tag] becomes the
 * logger's tag. The default `log` of bootstrap, the click sink, link sync, shutdown and the build.
 */
export const logLine = lineTo("info");

/** logLine at level error (failures reported as lines). */
export const errorLine = lineTo("error");

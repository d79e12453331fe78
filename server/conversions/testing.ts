// Test helpers for postbacks: our real HTTP server with only the postback route, driven over real HTTP.
import type { AddressInfo } from "node:net";
import { closeServer, createAppServer } from "../http/server";
import { type PostbackDeps } from "./postback";
import { defaultPostbackDeps, defaultPostbackLimiter, postbackRoute } from "./http";
import type { PostbackLimiter } from "./limiter";

export interface PostbackClient {
  deps: PostbackDeps;
  baseUrl: string;
  /** GET /api/postback with these query parameters (the token among them unless `token: undefined`). */
  get(params: Record<string, string | undefined>): Promise<{ status: number; body: any; headers: Headers }>;
  /** POST with a raw body and content type; headers added as given. */
  post(body: string, contentType: string | null, headers?: Record<string, string>, query?: string): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Fraud checks that pass everything: postback tests control the seam themselves (server/fraud tests the rules). */
export const passAll = (): ReturnType<PostbackDeps["evaluate"]> => ({ score: 0, decision: "PASS", flags: [], reason: null });

/**
 * Our server with the postback route on a free port; fraud checks pass unless `evaluate` is given; the failure
 * limits are the environment's unless `limiter` is given (null: none).
 */
export async function startPostbackServer(overrides: Partial<PostbackDeps> = {}, limiter: PostbackLimiter | null = defaultPostbackLimiter()): Promise<PostbackClient> {
  const deps: PostbackDeps = { ...defaultPostbackDeps(), evaluate: passAll, ...overrides };
  const server = createAppServer({ routes: [postbackRoute(() => deps, 0, limiter)] });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/postback`;
  const read = async (response: Response) => ({ status: response.status, body: await response.json().catch(() => null), headers: response.headers });
  return {
    deps,
    baseUrl,
    async get(params) {
      const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
      return read(await fetch(`${baseUrl}?${query}`));
    },
    async post(body, contentType, headers = {}, query = "") {
      const allHeaders: Record<string, string> = { ...headers };
      if (contentType) allHeaders["content-type"] = contentType;
      return read(await fetch(`${baseUrl}${query}`, { method: "POST", body, headers: allHeaders }));
    },
    close: () => closeServer(server, 1_000),
  };
}

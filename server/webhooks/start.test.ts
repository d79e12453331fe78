import { describe, expect, it } from "vitest";
import { serverRelayWanted } from "./start";

describe("the server process's relay", () => {
  it("runs by default, and not under NODE_ENV=test (test servers share one database) unless asked", () => {
    expect(serverRelayWanted({ NODE_ENV: "production", WEBHOOK_RELAY: undefined })).toBe(true);
    expect(serverRelayWanted({ NODE_ENV: "development", WEBHOOK_RELAY: undefined })).toBe(true);
    expect(serverRelayWanted({ NODE_ENV: "test", WEBHOOK_RELAY: undefined })).toBe(false);
    expect(serverRelayWanted({ NODE_ENV: "test", WEBHOOK_RELAY: "1" })).toBe(true);
  });

  it("is off with WEBHOOK_RELAY=0, in production too (only `npm run worker` processes relay then)", () => {
    expect(serverRelayWanted({ NODE_ENV: "production", WEBHOOK_RELAY: "0" })).toBe(false);
  });
});

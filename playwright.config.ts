import { defineConfig } from "@playwright/test";

// Run through `npm test` (or `npm test -- --e2e`), which builds, starts the server on a seeded database and sets
// BASE_URL. Browsers are never downloaded: Debian's Chromium is launched directly.
export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 2,
  reporter: [["list"], ["json"]],
  outputDir: process.env.PLAYWRIGHT_OUTPUT_DIR ?? "test-results/playwright",
  // Payout runs pay the whole program, so that spec runs after all the others.
  projects: [
    { name: "features", testIgnore: /payouts\.spec/ },
    { name: "payouts", testMatch: /payouts\.spec/, dependencies: ["features"] },
  ],
  use: {
    baseURL: process.env.BASE_URL ?? "http://localhost:3000",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    },
  },
});

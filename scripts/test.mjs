// npm test [-- --unit | --e2e] [vitest filters…]: the same set-up as npm start, then every test.
import { ensureDeps, runTs } from "./ensure-deps.mjs";

ensureDeps();
await runTs("scripts/run-tests.ts");

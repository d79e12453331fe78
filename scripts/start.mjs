// npm start [-- --dev]: install what is missing, then run the server (which starts the embedded database when
// DATABASE_URL is unset, migrates, seeds an empty database, builds when needed and serves).
import { ensureDeps, runTs } from "./ensure-deps.mjs";

ensureDeps();
await runTs("server/main.ts");

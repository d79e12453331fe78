// Demo data. `npm run db:seed` seeds the database (DATABASE_URL, or the embedded one) unless it already has users;
// `npm start` calls seedIfEmpty on boot. The program itself is built in server/seed/.
import { pathToFileURL } from "node:url";
import { getPool } from "../server/db";
import { env } from "../server/env";
import { seedDemoFraud } from "../server/seed/fraud";
import { seedDemoProgram } from "../server/seed/write";
import { DEMO_LOGINS } from "./demo-logins";

export { DEMO_LOGINS };

export async function seedIfEmpty(): Promise<boolean> {
  const program = await seedDemoProgram(getPool(), { password: DEMO_LOGINS.password, clickIdSecret: env().CLICK_ID_SECRET });
  if (program) await seedDemoFraud(); // two held commissions for the fraud review queue
  return program !== null;
}

async function main() {
  const { bootstrap } = await import("../server/bootstrap");
  const { closeDb } = await import("../server/db");
  const { closePostbackPool } = await import("../server/conversions/pool");
  const { localPostgres } = await bootstrap();
  try {
    const started = Date.now();
    if (await seedIfEmpty()) console.log(`[seed] demo program created in ${Date.now() - started} ms`);
    else console.log("[seed] the database already has users: left as it is");
    console.log(`Demo logins (password: ${DEMO_LOGINS.password}):`);
    for (const email of DEMO_LOGINS.emails) console.log(`  ${email}`);
  } finally {
    await closePostbackPool(); // the fraud demo's postbacks went through it
    await closeDb();
    await localPostgres?.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(`[seed] failed: ${(error as Error).message}`);
    process.exit(1);
  });
}

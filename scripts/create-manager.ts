// npm run manager:create -- --email you@example.com --name "Your Name"
// A program manager account and its one-time link to set a password: the way to the first manager of a database
// that is not seeded with the demo (a production start never is, unless SEED=1). The link is printed here, to
// whoever runs the command (never to the server's log), and mailed too when SMTP_URL is set. With the embedded
// database, stop the server first (one process owns it); with DATABASE_URL, run it beside the server.
import { parseArgs } from "node:util";
import { bootstrap } from "../server/bootstrap";

const fail = (message: string): never => {
  process.stderr.write(`[manager:create] ${message}\n`);
  process.exit(1);
};

const { values } = parseArgs({ options: { email: { type: "string" }, name: { type: "string" } }, strict: false });
const { createManagerInput } = await import("../server/accounts/schema");
const input = createManagerInput.safeParse({ email: values.email, name: values.name });
if (!input.success) {
  fail(`${input.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}\nusage: npm run manager:create -- --email you@example.com --name "Your Name"`);
}
Object.assign(process.env, { NODE_ENV: process.env.NODE_ENV ?? "production" });

try {
  const { localPostgres } = await bootstrap({ log: () => {} });
  const { db, closeDb } = await import("../server/db");
  const { createManagerAccount } = await import("../server/accounts/users");
  const { AccountError } = await import("../server/accounts/errors");
  try {
    const created = await createManagerAccount(db, input.data!, null);
    process.stdout.write(
      `Manager ${input.data!.email} created. Open this link to set the password (it works once, until ${created.link.expiresAt.toISOString()}):\n${created.link.url}\n` +
        (created.link.mailed ? "(also mailed to them)\n" : ""),
    );
  } catch (error) {
    if (error instanceof AccountError) fail(error.message);
    throw error;
  } finally {
    await closeDb();
    await localPostgres?.stop();
  }
} catch (error) {
  fail((error as Error).message);
}

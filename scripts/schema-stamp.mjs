// Which schema the generated Prisma client was made from: ensure-deps regenerates when the schema's hash changes
// (a pull, a merge), and generate.mjs records it. No side effects on import.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

export const SCHEMA_STAMP = path.join(root, "server/db/generated/.schema-hash");
export const schemaHash = () => createHash("sha256").update(readFileSync(path.join(root, "prisma/schema.prisma"))).digest("hex");

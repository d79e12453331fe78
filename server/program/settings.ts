// The program's own settings (one row, id 1): its name, and where /go sends unknown or disabled links instead of
// the 404 page. A change is audited; the program_settings trigger notifies `link_changed` ('settings'), so every
// server's link cache takes the new fallback within a second.
import { db } from "../db";
import type { UpdateProgramSettingsInput } from "./schema";

const DEFAULTS = { name: "Affiliate program", fallbackUrl: null };

export async function programSettings() {
  const row = await db.programSettings.findUnique({ where: { id: 1 }, select: { name: true, fallbackUrl: true, updatedAt: true } });
  return row ?? { ...DEFAULTS, updatedAt: null };
}

export async function updateProgramSettings(input: UpdateProgramSettingsInput, actorId: string) {
  return db.$transaction(async (tx) => {
    const before = await tx.programSettings.findUnique({ where: { id: 1 }, select: { name: true, fallbackUrl: true } });
    const after = await tx.programSettings.upsert({
      where: { id: 1 },
      create: { id: 1, ...input },
      update: input,
      select: { name: true, fallbackUrl: true, updatedAt: true },
    });
    await tx.auditLog.create({
      data: { actorId, action: "program.settings.update", entityType: "program_settings", entityId: "1", data: { before: before ?? DEFAULTS, after: input } },
    });
    return after;
  });
}

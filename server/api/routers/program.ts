// The program's settings (managers): its name and the /go fallback URL. Thin: the rules live in server/program.
import { updateProgramSettingsInput } from "../../program/schema";
import { programSettings, updateProgramSettings } from "../../program/settings";
import { createTRPCRouter, managerProcedure } from "../trpc";

export const programRouter = createTRPCRouter({
  settings: managerProcedure.query(() => programSettings()),
  updateSettings: managerProcedure.input(updateProgramSettingsInput).mutation(({ ctx, input }) => updateProgramSettings(input, ctx.session.user.id)),
});

// Input rules of the program settings, shared by the tRPC router and the manager's form (same messages on both sides).
import { z } from "zod";
import { optionalDestinationSchema } from "../links/schema";

export const updateProgramSettingsInput = z.object({
  name: z.string().trim().min(1, { error: "The program needs a name." }).max(100, { error: "At most 100 characters." }),
  /** Empty: unknown links get the 404 page. */
  fallbackUrl: optionalDestinationSchema,
});

export type UpdateProgramSettingsInput = z.infer<typeof updateProgramSettingsInput>;

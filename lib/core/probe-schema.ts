// The probe's zod schema, for the edges that accept one from outside (the backend's trigger body).
import { z } from "zod";
import type { Probe } from "./probe.js";

export const probeSchema = z.object({
  run: z.string().min(1).max(64),
  publisher: z.string().min(1).max(64),
  n: z.number().int().positive(),
  t: z.number().nonnegative(),
}) satisfies z.ZodType<Probe>;

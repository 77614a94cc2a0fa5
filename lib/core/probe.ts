// Probe stamps: what a trigger carries so a receiver can attribute, order and time it independently
// of the backend under test. `n` counts per publisher from 1, so gaps in `n` are losses even without a seq.
import { z } from "zod";

export const probeSchema = z.object({
  run: z.string().min(1).max(64),
  publisher: z.string().min(1).max(64),
  n: z.number().int().positive(),
  /** Send time in epoch milliseconds (float, sub-ms resolution where the runtime has it). */
  t: z.number().nonnegative(),
});

export type Probe = z.infer<typeof probeSchema>;

/** Fast structural check for hot paths (one per received frame); the zod schema is for the edges. */
export function isProbe(value: unknown): value is Probe {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.run === "string" &&
    typeof p.publisher === "string" &&
    typeof p.n === "number" &&
    Number.isInteger(p.n) &&
    p.n > 0 &&
    typeof p.t === "number"
  );
}

// The report's drift section as a zod schema, for reading saved reports; the types and helpers without zod
// are in drift-figures.ts (k6 bundles import those).
import { z } from "zod";
import type { DriftFigures } from "./drift-figures.js";

const slope = z.number().nullable();
const point = z.tuple([z.number().nonnegative(), z.number()]);

const podDriftSchema = z.object({
  samples: z.number().int().nonnegative(),
  rssMiBPerHour: slope,
  heapMiBPerHour: slope,
  eventLoopLagMsPerHour: slope,
  connectionsPerHour: slope,
  /** Last values seen, to read the slopes against. */
  last: z.object({
    rssMiB: z.number().nullable(),
    heapMiB: z.number().nullable(),
    eventLoopLagMs: z.number().nullable(),
    connections: z.number().nullable(),
  }),
  /** RSS (MiB) over the whole run, thinned to a bounded number of points for the plot. */
  rssSeries: z.array(point),
});

export const driftSchema: z.ZodType<DriftFigures> = z.object({
  warmupSeconds: z.number().nonnegative(),
  windowSeconds: z.number().positive(),
  sampleIntervalSeconds: z.number().positive(),
  /** The judged span, seconds since the run started; null when the run ended inside its warm-up. */
  steady: z.object({ from: z.number().nonnegative(), to: z.number().nonnegative() }).nullable(),
  pods: z.record(z.string(), podDriftSchema),
  redis: z
    .object({
      samples: z.number().int().nonnegative(),
      memoryMiBPerHour: slope,
      streamLengthPerHour: slope,
      last: z.object({ memoryMiB: z.number().nullable(), streamLength: z.number().nullable() }),
    })
    .nullable(),
  /** Fan-out p99 per window of the trigger phase (t = window start), warm-up windows included. */
  fanoutWindows: z.array(
    z.object({
      t: z.number().nonnegative(),
      p99Ms: z.number().nonnegative(),
      count: z.number().int().nonnegative(),
    }),
  ),
  /** p99 of the last full steady window ÷ p99 of the first; null with fewer than two such windows. */
  fanoutP99Drift: z.number().nonnegative().nullable(),
  /** Samples that could not be taken (a pod without /metrics, a restarting pod, Redis down). */
  sampleErrors: z.number().int().nonnegative(),
});

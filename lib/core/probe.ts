// Probe stamps: what a trigger carries so a receiver can attribute, order and time it independently
// of the backend under test. `n` counts per publisher from 1, so gaps in `n` are losses even without a seq.
// The zod schema for the edges (HTTP bodies) is in probe-schema.ts, so k6 bundles do not carry zod.

export interface Probe {
  run: string;
  publisher: string;
  /** Per publisher, from 1. */
  n: number;
  /** Send time in epoch milliseconds (float, sub-ms resolution where the runtime has it). */
  t: number;
}

/** Fast structural check for hot paths (one per received frame); probe-schema.ts is for the edges. */
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

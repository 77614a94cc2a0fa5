// Ramp: opens the run's connections linearly over the ramp, after noting the generator's RSS so the
// barrier can say what each connection costs.
import type { RunTimeline } from "./run-timeline.js";

export interface RampInput {
  timeline: RunTimeline;
  pool: { open(signal?: AbortSignal): Promise<void> };
  memory: { sampleMemory(): number };
  connections: number;
  rampSeconds: number;
  signal?: AbortSignal;
}

/** Returns the RSS before the first connection opened. */
export async function rampPhase(input: RampInput): Promise<{ rssBeforeRampBytes: number }> {
  const rssBeforeRampBytes = input.memory.sampleMemory();
  input.timeline.enter("ramp", `${input.connections} connections over ${input.rampSeconds} s`);
  await input.pool.open(input.signal);
  return { rssBeforeRampBytes };
}

// Barrier: after the ramp, waits (bounded) until every connection has its hello, so triggering starts
// against the full audience; a run that never got there is invalid, with the connect errors as the reason.
import type { RunTimeline } from "./run-timeline.js";

export interface BarrierInput {
  timeline: RunTimeline;
  pool: {
    waitAllConnected(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
    readonly connected: number;
    readonly connectErrors: ReadonlyMap<string, number>;
  };
  memory: { sampleMemory(): number };
  rssBeforeRampBytes: number;
  targetConnections: number;
  timeoutSeconds: number;
  signal?: AbortSignal;
}

export interface BarrierOutcome {
  connectionsHeld: number;
  /** (RSS with all connections open − RSS before the ramp) / connections open; undefined when unmeasurable. */
  rssPerConnectionBytes: number | undefined;
  /** Why the run is invalid, when not every connection opened in time (and the run was not aborted). */
  validityReason: string | undefined;
}

export async function barrierPhase(input: BarrierInput): Promise<BarrierOutcome> {
  const { pool, signal } = input;
  input.timeline.enter("connect");
  const allConnected = await pool.waitAllConnected(input.timeoutSeconds * 1000, signal);
  const connectionsHeld = pool.connected;
  // With few connections the growth hides in pages already mapped: no figure rather than a false 0.
  const rssGrowthBytes = input.memory.sampleMemory() - input.rssBeforeRampBytes;
  const rssPerConnectionBytes =
    connectionsHeld > 0 && rssGrowthBytes > 0 ? rssGrowthBytes / connectionsHeld : undefined;
  let validityReason: string | undefined;
  if (!allConnected && !signal?.aborted) {
    const causes = [...pool.connectErrors].map(([cause, count]) => `${cause}: ${count}`).join(", ");
    validityReason = `only ${connectionsHeld} of ${input.targetConnections} connections were open after ${input.timeoutSeconds} s${causes ? ` (${causes})` : ""}`;
  }
  return { connectionsHeld, rssPerConnectionBytes, validityReason };
}

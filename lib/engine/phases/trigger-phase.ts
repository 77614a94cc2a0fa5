// Trigger: publishes at the profile's rate for its duration while the chaos schedule (if any) runs beside
// it; the generator's measured window starts here. A chaos action still under way (a restart waiting for
// readiness) ends before the drain judges anyone.
import type { ChaosTimeline, ChaosTimelineEvent } from "../../core/chaos-impact.js";
import type { RunTimeline } from "./run-timeline.js";

export interface TriggerInput {
  timeline: RunTimeline;
  publisher: { run(startAtEpochMs?: number): Promise<void> };
  health: { restart(): void };
  chaos?: ChaosTimeline;
  /** Where a successful chaos action goes besides the timeline (impact recorder, load metrics). */
  onChaosEvent?: (event: ChaosTimelineEvent) => void;
  ratePerSecond: number;
  durationSeconds: number;
  triggerPod: string;
  /** A split run's shared start (epoch ms); default now. */
  startAtEpochMs?: number;
  signal?: AbortSignal;
}

export async function triggerPhase(input: TriggerInput): Promise<void> {
  const { timeline, chaos } = input;
  if (input.signal?.aborted) return;
  timeline.enter("trigger", `${input.ratePerSecond}/s for ${input.durationSeconds} s to ${input.triggerPod}`);
  input.health.restart();
  chaos?.start((event) => recordChaosEvent(timeline, event, input.onChaosEvent));
  await input.publisher.run(input.startAtEpochMs);
  await chaos?.stop();
}

/** A failed action is an error on the timeline and has no impact window; a done one is a chaos event. */
export function recordChaosEvent(
  timeline: RunTimeline,
  event: ChaosTimelineEvent,
  onDone?: (event: ChaosTimelineEvent) => void,
): void {
  if (!event.ok) {
    timeline.eventAt(event.atMs, {
      kind: "error",
      name: event.action,
      target: event.target,
      detail: `failed: ${event.error}`,
    });
    return;
  }
  timeline.eventAt(event.atMs, {
    kind: "chaos",
    name: event.action,
    target: event.target,
    detail: event.detail,
  });
  onDone?.(event);
}

// The phases of a run's trigger phase, for per-phase figures and thresholds (`crosspod_fanout_latency
// {phase:steady}: p(99)<250`): `fault` from each chaos event until every client it dropped is back and at
// least until the action undoing it, `recovery` for a set time after that, `steady` the rest. A run
// without chaos is steady throughout.
// Runtime-neutral: the engine hands over its chaos seconds and a settle function, as for chaos impact.
import { addDelivery, emptyDelivery } from "./delivery-figures.js";
import { LatencyHistogram } from "./latency-histogram.js";
import type { DeliveryFigures, PhaseFigures } from "./report-model.js";

export const phaseNames = ["steady", "fault", "recovery"] as const;
export type PhaseName = (typeof phaseNames)[number];

/** How long after a fault the run counts as recovering; the chaos table's "after" period too. */
export const recoveryMs = 5_000;

export interface PhaseWindow {
  phase: PhaseName;
  fromMs: number;
  toMs: number;
}

/**
 * Splits [startMs, endMs) into phase windows. `faults` are [event, last reconnect] spans; a moment in a
 * fault is `fault` even when it is also within another fault's recovery.
 */
export function phaseWindows(
  startMs: number,
  endMs: number,
  faults: readonly { fromMs: number; toMs: number }[],
): PhaseWindow[] {
  const marks = new Set([startMs, endMs]);
  for (const fault of faults) {
    for (const mark of [fault.fromMs, fault.toMs, fault.toMs + recoveryMs]) {
      if (mark > startMs && mark < endMs) marks.add(mark);
    }
  }
  const sorted = [...marks].sort((a, b) => a - b);
  const windows: PhaseWindow[] = [];
  for (let index = 0; index + 1 < sorted.length; index++) {
    const fromMs = sorted[index] as number;
    const toMs = sorted[index + 1] as number;
    const inFault = faults.some((f) => f.fromMs <= fromMs && toMs <= Math.max(f.toMs, f.fromMs));
    const inRecovery = faults.some((f) => f.toMs <= fromMs && toMs <= f.toMs + recoveryMs);
    const phase: PhaseName = inFault ? "fault" : inRecovery ? "recovery" : "steady";
    const last = windows.at(-1);
    if (last && last.phase === phase && last.toMs === fromMs) last.toMs = toMs;
    else windows.push({ phase, fromMs, toMs });
  }
  return windows;
}

/** One second of the run as the engine sampled it (ChaosImpactRecorder's seconds). */
export interface PhaseSecond {
  endMs: number;
  /** LatencyHistogram.encode() of the second's fan-out, when it had frames. */
  fanout: string | undefined;
  triggersSent?: number;
  triggersFailed?: number;
}

export interface PhaseInput {
  windows: readonly PhaseWindow[];
  seconds: readonly PhaseSecond[];
  /** Delivery figures over every connection for the triggers accepted in [fromMs, toMs). */
  settle: (fromMs: number, toMs: number) => DeliveryFigures;
}

/** Figures and the exact fan-out histogram per phase that occurred. */
export interface MeasuredPhase {
  figures: PhaseFigures;
  fanout: LatencyHistogram;
}

export function measurePhases(input: PhaseInput): Partial<Record<PhaseName, MeasuredPhase>> {
  const phases: Partial<Record<PhaseName, MeasuredPhase>> = {};
  for (const window of input.windows) {
    let phase = phases[window.phase];
    if (phase === undefined) {
      phase = {
        figures: {
          seconds: 0,
          triggers: { sent: 0, failed: 0 },
          delivery: emptyDelivery(),
          fanout: new LatencyHistogram().summary(),
        },
        fanout: new LatencyHistogram(),
      };
      phases[window.phase] = phase;
    }
    phase.figures.seconds += (window.toMs - window.fromMs) / 1000;
    addDelivery(phase.figures.delivery, input.settle(window.fromMs, window.toMs));
    // A second belongs to the window its end falls in: the sampler closes it then.
    for (const second of input.seconds) {
      if (second.endMs <= window.fromMs || second.endMs > window.toMs) continue;
      if (second.fanout !== undefined) phase.fanout.merge(LatencyHistogram.decode(second.fanout));
      phase.figures.triggers.sent += second.triggersSent ?? 0;
      phase.figures.triggers.failed += second.triggersFailed ?? 0;
    }
  }
  for (const phase of Object.values(phases)) phase.figures.fanout = phase.fanout.summary();
  return phases;
}

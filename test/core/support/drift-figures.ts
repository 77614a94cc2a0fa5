// Hand-built drift sections for threshold and comparison tests: a pod with gentle slopes, overridable.
import type { DriftFigures, PodDrift } from "../../../lib/core/drift-figures.js";

export function podDrift(overrides: Partial<PodDrift> = {}): PodDrift {
  return {
    samples: 100,
    rssMiBPerHour: 1,
    heapMiBPerHour: 0.5,
    eventLoopLagMsPerHour: 0.1,
    connectionsPerHour: 0,
    last: { rssMiB: 90, heapMiB: 20, eventLoopLagMs: 2, connections: 100 },
    rssSeries: [],
    ...overrides,
  };
}

export function driftFigures(overrides: Partial<DriftFigures> = {}): DriftFigures {
  return {
    warmupSeconds: 120,
    windowSeconds: 60,
    sampleIntervalSeconds: 5,
    steady: { from: 120, to: 600 },
    pods: { "pod-a": podDrift() },
    redis: null,
    fanoutWindows: [],
    fanoutP99Drift: 1.05,
    sampleErrors: 0,
    ...overrides,
  };
}

// What a soak is for: slow leaks and drift. The report's drift section (slopes per pod and of Redis over the
// steady phase after a warm-up, fan-out p99 per window and its first-to-last ratio) and the settings that
// shape it. Slopes are per hour, in the unit a reader thinks in (MiB/h, ms/h, connections/h).

export interface DriftSettings {
  /** Seconds after the first trigger that are not judged: JIT, heap sizing and pools settle first. */
  warmupSeconds: number;
  /** Width of a fan-out p99 window. */
  windowSeconds: number;
  /** How often pods and Redis are sampled. */
  sampleIntervalSeconds: number;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * Defaults scaled to the trigger phase: a fifth of it warms up (at most 10 min), ten windows (1 s to 5 min),
 * about 120 samples (1 s to 15 s apart). A 10-minute soak: 2 min warm-up, 1 min windows, a sample every 5 s.
 */
export function defaultDriftSettings(durationSeconds: number): DriftSettings {
  return {
    warmupSeconds: clamp(Math.round(durationSeconds * 0.2), 0, 600),
    windowSeconds: clamp(Math.round(durationSeconds / 10), 1, 300),
    sampleIntervalSeconds: clamp(Math.round(durationSeconds / 120), 1, 15),
  };
}

export interface PodDrift {
  samples: number;
  rssMiBPerHour: number | null;
  heapMiBPerHour: number | null;
  eventLoopLagMsPerHour: number | null;
  connectionsPerHour: number | null;
  /** Last values seen, to read the slopes against. */
  last: {
    rssMiB: number | null;
    heapMiB: number | null;
    eventLoopLagMs: number | null;
    connections: number | null;
  };
  /** RSS (MiB) over the whole run, thinned to a bounded number of points for the plot. */
  rssSeries: Array<[t: number, mib: number]>;
}

export interface DriftFigures {
  warmupSeconds: number;
  windowSeconds: number;
  sampleIntervalSeconds: number;
  /** The judged span, seconds since the run started; null when the run ended inside its warm-up. */
  steady: { from: number; to: number } | null;
  pods: Record<string, PodDrift>;
  redis: {
    samples: number;
    memoryMiBPerHour: number | null;
    streamLengthPerHour: number | null;
    last: { memoryMiB: number | null; streamLength: number | null };
  } | null;
  /** Fan-out p99 per window of the trigger phase (t = window start), warm-up windows included. */
  fanoutWindows: Array<{ t: number; p99Ms: number; count: number }>;
  /** p99 of the last full steady window ÷ p99 of the first; null with fewer than two such windows. */
  fanoutP99Drift: number | null;
  /** Samples that could not be taken (a pod without /metrics, a restarting pod, Redis down). */
  sampleErrors: number;
}

/** The worst (largest) pod slope of `key`, null when no pod has one. */
export function worstPodSlope(
  drift: DriftFigures,
  key: "rssMiBPerHour" | "heapMiBPerHour" | "eventLoopLagMsPerHour" | "connectionsPerHour",
): number | null {
  let worst: number | null = null;
  for (const pod of Object.values(drift.pods)) {
    const value = pod[key];
    if (value !== null && (worst === null || value > worst)) worst = value;
  }
  return worst;
}

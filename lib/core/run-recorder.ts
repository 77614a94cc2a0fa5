// What both engines accumulate during a run and how it becomes the Report: one PodRecorder per delivering
// pod (histograms and counts), a per-second time series, and buildReport, which merges the pods into the
// overall figures and judges the thresholds on them.
import { addDelivery, emptyDelivery } from "./delivery-figures.js";
import type { DriftFigures } from "./drift-figures.js";
import { LatencyHistogram } from "./latency-histogram.js";
import type {
  ChaosImpact,
  DeliveryFigures,
  MatrixCell,
  PodFigures,
  PodHistograms,
  Report,
  RunEvent,
  TimeSeriesPoint,
} from "./report-model.js";
import { reportSchemaId } from "./report-schema-id.js";
import type { MeasuredPhase, PhaseName } from "./run-phases.js";
import { evaluateThresholds } from "./thresholds.js";

export class PodRecorder {
  readonly fanout = new LatencyHistogram();
  readonly e2e = new LatencyHistogram();
  readonly reconnectTime = new LatencyHistogram();
  readonly connections = { opened: 0, failed: 0, peak: 0, reconnects: 0 };
  readonly triggers = { sent: 0, accepted: 0, failed: 0 };
  delivery: DeliveryFigures = emptyDelivery();

  toFigures(): PodFigures {
    return {
      connections: { ...this.connections },
      triggers: { ...this.triggers },
      delivery: { ...this.delivery, lostSamples: [...this.delivery.lostSamples] },
      fanout: this.fanout.summary(),
      e2e: this.e2e.summary(),
      reconnectTime: this.reconnectTime.summary(),
    };
  }

  /** Adds `other` in; peaks add up because two recorders hold different connections. */
  merge(other: PodRecorder): void {
    this.fanout.merge(other.fanout);
    this.e2e.merge(other.e2e);
    this.reconnectTime.merge(other.reconnectTime);
    for (const key of ["opened", "failed", "peak", "reconnects"] as const) {
      this.connections[key] += other.connections[key];
    }
    for (const key of ["sent", "accepted", "failed"] as const) this.triggers[key] += other.triggers[key];
    addDelivery(this.delivery, other.delivery);
  }
}

/** Points kept before neighbours merge: a day of per-second samples would otherwise be 86,400 points. */
const maxTimeSeriesPoints = 3600;

/**
 * The run's time series, about a point per second. Past `maxPoints` each pair of neighbours merges into
 * one (counts add up, p99 keeps the worse, rates average over the time covered), so the generator's
 * memory stays flat over an hours-long soak while the series still spans the whole run.
 */
export class TimeSeriesRecorder {
  private samples: TimeSeriesPoint[] = [];

  constructor(
    private readonly startMs: number,
    private readonly maxPoints = maxTimeSeriesPoints,
  ) {}

  sample(point: Omit<TimeSeriesPoint, "t">, atMs: number): void {
    const t = Math.max(0, Math.round(atMs - this.startMs) / 1000);
    this.samples.push({ ...point, t });
    if (this.samples.length > this.maxPoints) this.halve();
  }

  private halve(): void {
    const merged: TimeSeriesPoint[] = [];
    let previousT = 0;
    for (let index = 0; index < this.samples.length; index += 2) {
      const first = this.samples[index] as TimeSeriesPoint;
      const second = this.samples[index + 1];
      if (second === undefined) {
        merged.push(first);
        break;
      }
      // Each point covers the time since its predecessor: weigh the rates by it.
      const firstSpan = Math.max(0, first.t - previousT);
      const secondSpan = Math.max(0, second.t - first.t);
      const span = firstSpan + secondSpan;
      merged.push({
        t: second.t,
        connections: second.connections,
        triggers: first.triggers + second.triggers,
        framesPerSecond:
          span > 0
            ? (first.framesPerSecond * firstSpan + second.framesPerSecond * secondSpan) / span
            : second.framesPerSecond,
        fanoutP99Ms: Math.max(first.fanoutP99Ms, second.fanoutP99Ms),
        errors: first.errors + second.errors,
      });
      previousT = second.t;
    }
    this.samples = merged;
  }

  points(): TimeSeriesPoint[] {
    return this.samples.map((point) => ({ ...point }));
  }
}

/** One origin → delivering pod cell as the engines record it: the histogram, not yet its summary. */
export interface MatrixCellInput {
  origin: string;
  deliveredBy: string;
  fanout: LatencyHistogram;
  received: number;
}

/** Origin → delivering pod cells added up exactly from any number of parts (VUs, runners). */
export class MatrixCellSum {
  private readonly cells = new Map<string, MatrixCellInput>();

  add(origin: string, deliveredBy: string, fanout: LatencyHistogram, received: number): void {
    const key = `${origin}\u0000${deliveredBy}`;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = { origin, deliveredBy, fanout: new LatencyHistogram(), received: 0 };
      this.cells.set(key, cell);
    }
    cell.fanout.merge(fanout);
    cell.received += received;
  }

  values(): MatrixCellInput[] {
    return [...this.cells.values()];
  }
}

export interface ReportInput {
  run: Report["run"];
  pods: Record<string, PodRecorder>;
  matrix?: MatrixCellInput[];
  timeSeries: TimeSeriesPoint[];
  events: RunEvent[];
  chaos?: ChaosImpact[];
  thresholds: Record<string, string[]>;
  validityReasons?: string[];
  drift?: DriftFigures;
  /** Per-phase figures of a chaos run (see run-phases.ts); absent: steady throughout. */
  phases?: Partial<Record<PhaseName, MeasuredPhase>>;
}

/** Judged on the whole run: a segment of a split run may expect nothing while the run as a whole does. */
export const nothingExpectedReason =
  "no frame was expected on any connection: no trigger was accepted while a connection was up";

function matrixCell(cell: MatrixCellInput): MatrixCell {
  return {
    origin: cell.origin,
    deliveredBy: cell.deliveredBy,
    fanout: cell.fanout.summary(),
    received: cell.received,
    fanoutHistogram: cell.fanout.encode(),
  };
}

/** Summed over the Redis failover events that measured it; null when none did. */
function acknowledgedLostOf(chaos: readonly ChaosImpact[]): number | null {
  const measured = chaos.flatMap((impact) =>
    impact.redis?.acknowledgedLost === undefined ? [] : [impact.redis.acknowledgedLost],
  );
  return measured.length === 0 ? null : measured.reduce((sum, count) => sum + count, 0);
}

function phaseFiguresOf(phases: Partial<Record<PhaseName, MeasuredPhase>>): NonNullable<Report["phases"]> {
  const figures: NonNullable<Report["phases"]> = {};
  for (const [name, phase] of Object.entries(phases) as [PhaseName, MeasuredPhase][]) {
    figures[name] = phase.figures;
  }
  return figures;
}

/** Rejoining events (restart-pod) whose pod never served a trigger or a client again; null when none. */
function rejoinFailuresOf(chaos: readonly ChaosImpact[]): number | null {
  const rejoins = chaos.flatMap((impact) => (impact.rejoined ? [impact.rejoined] : []));
  if (rejoins.length === 0) return null;
  return rejoins.filter((r) => r.firstTriggerSeconds === null || r.firstClientSeconds === null).length;
}

/**
 * Assembles and validates the report. Overall = exact merge of the pods; thresholds are judged on it, with
 * exact percentiles from the merged histograms. A run in which no frame was expected measured nothing,
 * so it is marked invalid rather than passed.
 */
/**
 * The report of a run. It is checked against the report schema where it leaves or enters a process
 * (lib/report's renderJsonReport and parseReport), not here: k6 builds reports too, and a VU would compile
 * the schema library.
 */
export function buildReport(input: ReportInput): Report {
  const overall = new PodRecorder();
  const pods: Record<string, PodFigures> = {};
  const podHistograms: Record<string, PodHistograms> = {};
  for (const [name, pod] of Object.entries(input.pods)) {
    overall.merge(pod);
    pods[name] = pod.toFigures();
    podHistograms[name] = {
      fanout: pod.fanout.encode(),
      e2e: pod.e2e.encode(),
      reconnectTime: pod.reconnectTime.encode(),
    };
  }
  const overallFigures = overall.toFigures();
  if (input.timeSeries.length > 0) {
    // Summed pod peaks overstate the run's peak when connections move between pods (a killed pod);
    // the sampled total and the largest single pod are both true lower bounds.
    let peak = 0;
    for (const point of input.timeSeries) peak = Math.max(peak, point.connections);
    for (const pod of Object.values(pods)) peak = Math.max(peak, pod.connections.peak);
    overallFigures.connections.peak = peak;
  }
  const reasons = [...(input.validityReasons ?? [])];
  if (overallFigures.delivery.expected === 0) reasons.push(nothingExpectedReason);
  const report: Report = {
    schema: reportSchemaId,
    run: input.run,
    overall: overallFigures,
    pods,
    matrix: (input.matrix ?? []).map(matrixCell),
    timeSeries: input.timeSeries,
    events: input.events,
    chaos: input.chaos ?? [],
    thresholds: evaluateThresholds(
      input.thresholds,
      overallFigures,
      {
        fanout: overall.fanout,
        e2e: overall.e2e,
        reconnectTime: overall.reconnectTime,
      },
      {
        acknowledgedLost: acknowledgedLostOf(input.chaos ?? []),
        drift: input.drift,
        rejoinFailures: rejoinFailuresOf(input.chaos ?? []),
        ...(input.phases ? { phases: input.phases } : {}),
      },
    ),
    validity: { valid: reasons.length === 0, reasons },
    histograms: {
      fanout: overall.fanout.encode(),
      e2e: overall.e2e.encode(),
      reconnectTime: overall.reconnectTime.encode(),
      pods: podHistograms,
    },
    ...(input.phases ? { phases: phaseFiguresOf(input.phases) } : {}),
    ...(input.drift ? { drift: input.drift } : {}),
  };
  return report;
}

// The fan-out targets, read off the knee runs of the same bench: the reference backend at 10,000
// deliveries/s, its knee against the Socket.IO peer's and the floor's, and CPU per delivery as ratios at
// the highest step all compared systems measured validly (same run, same noise).
import { type BenchRow, formatMs, measuredRow } from "../bench-row.js";
import { type KneeResult, p99LimitMs, type StepFigures } from "./fanout-knee.js";

const section = "targets";

export function comparisonRows(knees: readonly KneeResult[], subscribers: number): BenchRow[] {
  const by = (name: string) => knees.find((knee) => knee.system === name);
  const reference = by("reference");
  const rows: BenchRow[] = [];
  if (reference === undefined) return rows;
  const rateFor10k = 10_000 / subscribers;
  const step = reference.steps.find((s) => s.rate === rateFor10k);
  rows.push(
    step === undefined
      ? {
          section,
          name: "reference at 10,000 deliveries/s",
          metrics: {},
          display: "—",
          status: "invalid",
          note: `no step at ${rateFor10k}/s`,
        }
      : measuredRow(
          {
            section,
            name: "reference at 10,000 deliveries/s",
            metrics: { p50Ms: step.p50Ms, p99Ms: step.p99Ms },
            display: `p50 ${formatMs(step.p50Ms)}, p99 ${formatMs(step.p99Ms)}`,
            target: {
              text: `p50 < 5 ms / ${formatMs(step.p50Ms)}; p99 < 25 ms / ${formatMs(step.p99Ms)}`,
              met: step.p50Ms < 5 && step.p99Ms < 25,
            },
          },
          step.valid ? [] : ["that step was invalid (generator unhealthy)"],
        ),
  );
  const socketio = by("socketio");
  if (socketio) rows.push(kneeComparison("reference knee vs Socket.IO knee", reference, socketio, 1, "≥ 1×"));
  const floor = by("floor");
  if (floor)
    rows.push(kneeComparison("reference knee vs floor knee", reference, floor, 0.5, "≥ 0.5× (within 2×)"));
  for (const other of [socketio, floor]) {
    if (other === undefined) continue;
    rows.push(cpuComparison(reference, other));
  }
  return rows;
}

function kneeComparison(
  name: string,
  reference: KneeResult,
  other: KneeResult,
  minRatio: number,
  text: string,
): BenchRow {
  if (reference.kneeRate !== undefined && other.kneeRate !== undefined) {
    const ratio = reference.kneeRate / other.kneeRate;
    return measuredRow({
      section,
      name,
      metrics: { ratio, referenceKnee: reference.kneeRate, otherKnee: other.kneeRate },
      display: `${ratio.toFixed(2)}× (${reference.kneeRate}/s vs ${other.kneeRate}/s)`,
      target: { text: `${text} / ${ratio.toFixed(2)}×`, met: ratio >= minRatio },
    });
  }
  const bound = (knee: KneeResult) =>
    knee.kneeRate !== undefined ? `${knee.kneeRate}/s` : `> ${knee.lastGoodRate ?? 0}/s (${knee.stoppedBy})`;
  return {
    section,
    name,
    metrics: {},
    display: `${bound(reference)} vs ${bound(other)}`,
    status: "invalid",
    note: `no ratio: a knee (p99 > ${p99LimitMs} ms) was not reached with a healthy generator on both`,
  };
}

function cpuComparison(reference: KneeResult, other: KneeResult): BenchRow {
  const name = `CPU per delivery: reference ÷ ${other.system}`;
  const common = reference.steps
    .filter((step) => step.valid)
    .map((step) => [step, other.steps.find((s) => s.valid && s.rate === step.rate)] as const)
    .filter((pair): pair is readonly [StepFigures, StepFigures] => pair[1] !== undefined)
    .at(-1);
  if (common === undefined) {
    return { section, name, metrics: {}, display: "—", status: "invalid", note: "no step valid on both" };
  }
  const [ref, peer] = common;
  const ratio = ref.cpuPerDeliveryMicros / peer.cpuPerDeliveryMicros;
  return measuredRow({
    section,
    name,
    metrics: {
      ratio,
      rate: ref.rate,
      referenceMicros: ref.cpuPerDeliveryMicros,
      otherMicros: peer.cpuPerDeliveryMicros,
    },
    display: `${ratio.toFixed(2)}× at ${ref.rate}/s (${ref.cpuPerDeliveryMicros.toFixed(1)} vs ${peer.cpuPerDeliveryMicros.toFixed(1)} µs, pods + Redis)`,
    ...(other.system === "floor" ? { target: { text: `≤ 2× / ${ratio.toFixed(2)}×`, met: ratio <= 2 } } : {}),
  });
}

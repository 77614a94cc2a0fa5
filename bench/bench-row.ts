// One line of the bench table and of its JSON: what was measured, the numbers, the target, and whether
// the generator stayed healthy. A row is `valid` (numbers count), `invalid` (the generator saturated or
// the measurement failed: numbers kept for reference, never reported as results) or `skip`.
import { defaultSaturationLimits } from "../lib/engine/generator-health.js";

export type RowStatus = "valid" | "invalid" | "skip";

export interface GeneratorSample {
  /** Highest of the generator processes, as a fraction of one core. */
  cpuFraction: number;
  /** Highest of the generator processes. */
  eventLoopLagP99Ms: number;
}

export interface Target {
  /** "≤ 16 KiB", "p99 < 25 ms". */
  text: string;
  met: boolean;
}

export interface BenchRow {
  section: string;
  name: string;
  /** The row's figures, in the units their names say. */
  metrics: Record<string, number>;
  /** The figures as the table shows them. */
  display: string;
  status: RowStatus;
  /** Why a row is invalid or skipped; facts worth a note otherwise. */
  note?: string;
  target?: Target;
  generator?: GeneratorSample;
}

/** Reasons the generator was unhealthy: CPU ≥ 80% of a core or event-loop lag p99 ≥ 10 ms. */
export function generatorProblems(sample: GeneratorSample): string[] {
  const problems: string[] = [];
  if (sample.cpuFraction > defaultSaturationLimits.cpuFraction) {
    problems.push(`generator CPU ${(sample.cpuFraction * 100).toFixed(0)}% > 80%`);
  }
  if (sample.eventLoopLagP99Ms > defaultSaturationLimits.eventLoopLagP99Ms) {
    problems.push(`generator event-loop lag p99 ${sample.eventLoopLagP99Ms.toFixed(1)} ms > 10 ms`);
  }
  return problems;
}

/** A measured row: valid unless the generator was unhealthy or a figure is not a finite number. */
export function measuredRow(row: Omit<BenchRow, "status">, extraProblems: string[] = []): BenchRow {
  const problems = [...(row.generator ? generatorProblems(row.generator) : []), ...extraProblems];
  for (const [key, value] of Object.entries(row.metrics)) {
    if (!Number.isFinite(value)) problems.push(`${key} is not a number`);
  }
  if (problems.length === 0) return { ...row, status: "valid" };
  const note = [problems.join("; "), row.note].filter(Boolean).join("; ");
  return { ...row, status: "invalid", note };
}

export function skippedRow(section: string, name: string, note: string): BenchRow {
  return { section, name, metrics: {}, display: "—", status: "skip", note };
}

/** A section that could not run at all still yields a row saying why. */
export function failedRow(section: string, name: string, error: unknown): BenchRow {
  const message = error instanceof Error ? error.message : String(error);
  return {
    section,
    name,
    metrics: {},
    display: "—",
    status: "invalid",
    note: `failed: ${message.split("\n")[0]}`,
  };
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en");
}

/** Invalid only because the event loop lagged while the generator had CPU to spare: other processes had the cores. */
export function spoiledByMachine(row: BenchRow): boolean {
  const generator = row.generator;
  return (
    row.status === "invalid" &&
    generator !== undefined &&
    generator.cpuFraction <= defaultSaturationLimits.cpuFraction &&
    generator.eventLoopLagP99Ms > defaultSaturationLimits.eventLoopLagP99Ms
  );
}

/** Measures once more when the first try was spoiled by the shared machine; the second try's rows stand. */
export async function retryIfSpoiled(measure: () => Promise<BenchRow[]>, retry = true): Promise<BenchRow[]> {
  const first = await measure();
  if (!retry || !first.some(spoiledByMachine)) return first;
  const second = await measure();
  return second.map((row) => ({
    ...row,
    note: ["measured twice (machine noise)", row.note].filter(Boolean).join("; "),
  }));
}

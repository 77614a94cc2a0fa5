// `--out csv=FILE`: the run's time series, one row per pod per sample (about one a second), appended as
// the run goes so a long run's file is useful before it ends. Empty cells mean "nothing in this interval"
// (no frame arrived, so no latency); counts of lost/duplicate/out-of-order frames are running totals.
import { createWriteStream, type WriteStream } from "node:fs";
import type { PodIntervalFigures } from "./pod-interval-figures.js";

export const csvHeader = [
  "time",
  "elapsed_seconds",
  "run",
  "pod",
  "connections",
  "frames_received",
  "frames_per_second",
  "fanout_p50_ms",
  "fanout_p99_ms",
  "e2e_p99_ms",
  "lost",
  "duplicates",
  "out_of_order",
  "reconnects",
] as const;

function cell(value: number | string | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(3);
  // Pod names and run ids are [A-Za-z0-9._-]; quote anyway so any text stays one cell.
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvRows(
  atMs: number,
  elapsedSeconds: number,
  runId: string,
  figures: readonly PodIntervalFigures[],
): string {
  const time = new Date(atMs).toISOString();
  return figures
    .map((pod) =>
      [
        time,
        elapsedSeconds,
        runId,
        pod.pod,
        pod.connections,
        pod.framesReceived,
        pod.framesPerSecond,
        pod.fanoutP50Ms,
        pod.fanoutP99Ms,
        pod.e2eP99Ms,
        pod.lost,
        pod.duplicates,
        pod.outOfOrder,
        pod.reconnects,
      ]
        .map(cell)
        .join(","),
    )
    .map((row) => `${row}\n`)
    .join("");
}

export class CsvOutput {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: "w" });
    this.stream.on("error", (error) => {
      this.failure ??= error;
    });
    this.stream.write(`${csvHeader.join(",")}\n`);
  }

  write(rows: string): void {
    if (rows !== "" && this.failure === undefined) this.stream.write(rows);
  }

  /** Flushes and closes; resolves with the first write error, if any. */
  close(): Promise<Error | undefined> {
    return new Promise((resolve) => {
      this.stream.end(() => resolve(this.failure));
      this.stream.once("error", () => resolve(this.failure));
    });
  }
}

// `--checkpoint DIR`: every few minutes the run's partial report goes to DIR/checkpoint.json, so a soak
// killed after hours (even by SIGKILL) leaves a report of what it saw. Written to a temporary file and
// renamed over the old one, so a kill mid-write never leaves half a report.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderJsonReport } from "../core/report-json.js";
import type { Report } from "../core/report-model.js";

export const checkpointFileName = "checkpoint.json";

export class RunCheckpoints {
  private lastMs: number | undefined;
  private writing: Promise<void> | undefined;
  private failures = 0;
  readonly path: string;

  constructor(
    private readonly dir: string,
    private readonly intervalSeconds: number,
    private readonly onError: (message: string) => void = () => {},
  ) {
    this.path = join(dir, checkpointFileName);
  }

  /** Writes `build()` when a checkpoint is due at `atMs` (the first at one interval after the first call). */
  maybeWrite(atMs: number, build: () => Report): void {
    this.lastMs ??= atMs;
    if (this.writing || atMs - this.lastMs < this.intervalSeconds * 1000) return;
    this.lastMs = atMs;
    let report: Report;
    try {
      report = build();
    } catch (error) {
      this.fail(error);
      return;
    }
    const work = this.write(report).catch((error: unknown) => this.fail(error));
    this.writing = work;
    void work.finally(() => {
      if (this.writing === work) this.writing = undefined;
    });
  }

  /** Writes `report` now (the final one), after any write in flight. */
  async write(report: Report): Promise<void> {
    await this.writing;
    await mkdir(this.dir, { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, renderJsonReport(report));
    await rename(temporary, this.path);
  }

  private fail(error: unknown): void {
    this.failures += 1;
    // Once is enough: a full disk would otherwise repeat the message every interval.
    if (this.failures === 1) {
      this.onError(
        `checkpoint ${this.path}: ${error instanceof Error ? error.message : String(error)} (later failures are not shown)`,
      );
    }
  }

  async close(): Promise<void> {
    await this.writing;
  }
}

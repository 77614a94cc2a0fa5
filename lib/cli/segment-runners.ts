// `crosspod run --runners N`: the run split over N engine processes on this machine, one per execution
// segment (`crosspod run --segment i/N`, the same mechanism a user runs on N machines), meeting in Redis and
// merged into one report with one verdict. Each runner gets the resolved profile as a file, so the split
// run is exactly the run that was asked for. The runners are this process's children: a runner that dies
// fails the run and the others are stopped; none outlives crosspod.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nthSegment } from "../core/execution-segment.js";
import type { Profile } from "../core/profiles.js";
import { parseReport } from "../core/report-json.js";
import { mergeReports } from "../core/report-merge.js";
import type { Report } from "../core/report-model.js";
import type { SaturationLimits } from "../engine/generator-health.js";
import { CLIError, exitCodes } from "./cli-error.js";

export interface SegmentRunnersInput {
  runId: string;
  runners: number;
  profile: Profile;
  /** Pod base URLs, or a target file every runner reads. */
  targets: readonly string[];
  targetFile: string | undefined;
  redisUrl: string;
  saturationLimits: SaturationLimits;
  signal: AbortSignal;
  /** Each runner's stderr lines (progress, errors), prefixed with its segment. */
  log: (line: string) => void;
}

interface RunnerProcess {
  segment: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderrTail: string[];
}

const tailLines = 20;

function startRunner(
  input: SegmentRunnersInput,
  index: number,
  profileFile: string,
  outFile: string,
): RunnerProcess {
  const segment = nthSegment(index, input.runners).text;
  const args = [
    process.argv[1] as string,
    "run",
    input.profile.name,
    ...(input.targetFile ? ["--target", input.targetFile] : ["--targets", input.targets.join(",")]),
    "--profile-file",
    profileFile,
    "--segment",
    `${index}/${input.runners}`,
    "--run-id",
    input.runId,
    "--coordinate",
    input.redisUrl,
    "--out",
    outFile,
    "--max-generator-cpu",
    String(input.saturationLimits.cpuFraction * 100),
    "--max-generator-lag",
    String(input.saturationLimits.eventLoopLagP99Ms),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  const runner: RunnerProcess = {
    segment,
    child,
    stderrTail: [],
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
  let partial = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split(/\r?\n|\r/);
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      runner.stderrTail.push(line);
      if (runner.stderrTail.length > tailLines) runner.stderrTail.shift();
      input.log(`[${index}/${input.runners} ${segment}] ${line}`);
    }
  });
  return runner;
}

/** Runs every segment, waits for all, and merges their partial reports into the run's report. */
export async function runSegmentRunners(input: SegmentRunnersInput): Promise<Report> {
  const dir = await mkdtemp(join(tmpdir(), `crosspod-${input.runId}-`));
  const runners: RunnerProcess[] = [];
  const stopAll = () => {
    for (const runner of runners) runner.child.kill("SIGTERM");
  };
  input.signal.addEventListener("abort", stopAll, { once: true });
  try {
    const profileFile = join(dir, "profile.json");
    await writeFile(profileFile, JSON.stringify(input.profile));
    const outFiles = Array.from({ length: input.runners }, (_, i) => join(dir, `segment-${i + 1}.json`));
    for (let index = 1; index <= input.runners; index++) {
      runners.push(startRunner(input, index, profileFile, outFiles[index - 1] as string));
    }
    // A runner that dies leaves the others waiting for it in Redis: stop them all at the first failure.
    const codes = await Promise.all(
      runners.map(async (runner) => {
        const code = await runner.exited;
        if (code !== exitCodes.ok && code !== exitCodes.thresholdsFailed) stopAll();
        return code;
      }),
    );
    const failed = runners.find(
      (_, i) => codes[i] !== exitCodes.ok && codes[i] !== exitCodes.thresholdsFailed,
    );
    if (failed !== undefined && !input.signal.aborted) {
      throw new CLIError(
        `runner ${failed.segment} exited with ${String(codes[runners.indexOf(failed)])}; its last lines:\n${failed.stderrTail.join("\n")}`,
        "CROSSPOD_RUNNER_FAILED",
        "environment",
      );
    }
    const parts = await Promise.all(
      outFiles.map(async (file) => parseReport(await readFile(file, "utf8"), file)),
    );
    return mergeReports(parts, {}, outFiles);
  } finally {
    input.signal.removeEventListener("abort", stopAll);
    stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}

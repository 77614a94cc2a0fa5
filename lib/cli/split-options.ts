// The flags that split a run over several runners with k6's execution-segment semantics: `--segment i/N`
// (this process is one runner; others run elsewhere with the same --run-id and --coordinate Redis) and
// `--runners N` (crosspod starts N runners on this machine and merges their reports). Checked here, at
// the edge, with the rules that keep a split run equal to a single one.
import { redactUrlCredentials } from "../core/endpoint-url.js";
import { type ExecutionSegment, nthSegment, parseSegment } from "../core/execution-segment.js";
import { CLIError } from "./cli-error.js";

export interface SegmentRole {
  segment: ExecutionSegment;
  /** The run's sequence: N equal segments for i/N; [] (k6's default fill) for the from:to form. */
  sequence: ExecutionSegment[];
  runId: string;
  redisUrl: string;
}

export interface SplitConfig {
  /** --segment: this process runs one segment of a split run. */
  segment: SegmentRole | undefined;
  /** --runners: split this run over N engine processes here; 0 = not split. */
  runners: number;
  /** --coordinate: the Redis the runners meet in (default with --runners: the local cluster's). */
  coordinateUrl: string | undefined;
}

export interface SplitFlags {
  segment?: string;
  runId?: string;
  coordinate?: string;
  runners?: string;
}

export interface SplitContext {
  engine: string;
  hasTargets: boolean;
  chaos: boolean;
  browsers: boolean;
}

const maxRunners = 16;

function usage(message: string): CLIError {
  return new CLIError(message, "CROSSPOD_USAGE");
}

/** "2/4" is the second of four equal segments; "1/4:2/4" (with a colon) is k6's own notation. */
export function parseSegmentFlag(text: string): {
  segment: ExecutionSegment;
  sequence: ExecutionSegment[];
} {
  const indexed = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  try {
    if (!indexed) return { segment: parseSegment(text), sequence: [] };
    const count = Number(indexed[2]);
    return {
      segment: nthSegment(Number(indexed[1]), count),
      sequence: Array.from({ length: count }, (_, index) => nthSegment(index + 1, count)),
    };
  } catch (error) {
    throw usage(
      `--segment: ${(error as Error).message} (write i/N, e.g. 2/4, or k6's from:to, e.g. 1/4:1/2)`,
    );
  }
}

function coordinateUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  // Redis URLs may carry a password (redis://:secret@host), so this checks the form and never echoes it.
  if (!/^rediss?:\/\/[^\s/?#]+(?:\/\d{1,2})?$/.test(text)) {
    throw usage(
      `--coordinate: "${redactUrlCredentials(text)}": expected a Redis URL such as redis://127.0.0.1:6379`,
    );
  }
  return text;
}

function refuseWithSplit(flag: string, context: SplitContext): void {
  if (context.chaos)
    throw usage(`${flag} cannot be combined with --chaos: one chaos schedule, not one per runner`);
  if (context.browsers) throw usage(`${flag} cannot be combined with --browsers`);
  if (context.engine === "k6") {
    throw usage(
      `${flag} splits the Node engine; for k6 give each k6 process --execution-segment (crosspod k6 <profile> -- --execution-segment …) and merge with crosspod report merge`,
    );
  }
}

export function resolveSplit(flags: SplitFlags, context: SplitContext): SplitConfig {
  const redisUrl = coordinateUrl(flags.coordinate);
  if (flags.runId !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(flags.runId)) {
    throw usage(`--run-id: expected 1 to 40 letters, digits, _ or - (got "${flags.runId}")`);
  }
  if (flags.segment !== undefined) {
    refuseWithSplit("--segment", context);
    if (flags.runners !== undefined) throw usage("--segment and --runners exclude each other");
    if (flags.runId === undefined || redisUrl === undefined) {
      throw usage(
        "--segment needs --run-id (the same for every runner) and --coordinate (the Redis they meet in)",
      );
    }
    if (!context.hasTargets) {
      throw usage("--segment needs --targets or --target: every runner must load the same pods");
    }
    return {
      segment: { ...parseSegmentFlag(flags.segment), runId: flags.runId, redisUrl },
      runners: 0,
      coordinateUrl: redisUrl,
    };
  }
  if (flags.runners === undefined) {
    if (flags.runId !== undefined || redisUrl !== undefined) {
      throw usage("--run-id and --coordinate apply with --segment or --runners");
    }
    return { segment: undefined, runners: 0, coordinateUrl: undefined };
  }
  const runners = /^\d{1,3}$/.test(flags.runners) ? Number(flags.runners) : Number.NaN;
  if (!(runners >= 1 && runners <= maxRunners)) {
    throw usage(`--runners: expected a whole number from 1 to ${maxRunners} (got "${flags.runners}")`);
  }
  refuseWithSplit("--runners", context);
  if (context.hasTargets && redisUrl === undefined) {
    throw usage("--runners with --targets needs --coordinate: a Redis the runners meet in");
  }
  if (flags.runId !== undefined) throw usage("--run-id applies with --segment; --runners makes its own");
  return { segment: undefined, runners, coordinateUrl: redisUrl };
}

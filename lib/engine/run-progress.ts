// The live progress line: one snapshot per second from the engine, rendered \r-updated on a TTY and as
// plain periodic lines otherwise (CI logs, pipes), so long runs always show that they are alive.

export type RunPhase = "discover" | "ramp" | "connect" | "trigger" | "drain" | "finish";

export interface RunProgress {
  phase: RunPhase;
  elapsedSeconds: number;
  totalSeconds: number;
  connections: number;
  targetConnections: number;
  triggersAccepted: number;
  triggersTotal: number;
  framesPerSecond: number;
  /** Fan-out p99 over the run so far; undefined before the first frame. */
  fanoutP99Ms: number | undefined;
  errors: number;
}

function formatRate(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0);
}

export function formatProgress(progress: RunProgress): string {
  const p99 = progress.fanoutP99Ms === undefined ? "–" : `${progress.fanoutP99Ms.toFixed(1)} ms`;
  return [
    `${progress.elapsedSeconds.toFixed(0)}s/${progress.totalSeconds.toFixed(0)}s ${progress.phase}`,
    `conns ${progress.connections}/${progress.targetConnections}`,
    `triggers ${progress.triggersAccepted}/${progress.triggersTotal}`,
    `frames/s ${formatRate(progress.framesPerSecond)}`,
    `fan-out p99 ${p99}`,
    `errors ${progress.errors}`,
  ].join(" · ");
}

export interface ProgressWriter {
  update(progress: RunProgress): void;
  /** Ends the \r-line so later output starts on a fresh line. */
  end(): void;
}

/** On a TTY every update rewrites one line; otherwise a plain line every `plainEverySeconds`. */
export function progressWriter(stream: NodeJS.WriteStream, plainEverySeconds = 5): ProgressWriter {
  if (stream.isTTY) {
    let written = false;
    return {
      update(progress) {
        stream.write(`\r${formatProgress(progress)}\x1b[K`);
        written = true;
      },
      end() {
        if (written) stream.write("\n");
        written = false;
      },
    };
  }
  let lastPrintedSecond = Number.NEGATIVE_INFINITY;
  let lastPhase: RunPhase | undefined;
  return {
    update(progress) {
      if (progress.elapsedSeconds - lastPrintedSecond < plainEverySeconds && progress.phase === lastPhase)
        return;
      lastPrintedSecond = progress.elapsedSeconds;
      lastPhase = progress.phase;
      stream.write(`${formatProgress(progress)}\n`);
    },
    end() {},
  };
}

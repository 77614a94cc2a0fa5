// After `crosspod run --prometheus`: whether the run's Prometheus outlives it, and the wait that keeps it
// (not the cluster, not the engine) until Ctrl-C, SIGTERM or the --prometheus-keep time, so its crosspod:*
// series can be looked at. Kept only when someone can see it: stdout is a terminal, or the time was asked for.
import type { PrometheusServer } from "../cluster/prometheus-server.js";
import { formatDuration } from "../report/figure-format.js";

export type PrometheusAfterRun = { keep: true; seconds: number | undefined } | { keep: false };

export function prometheusAfterRun(
  keepSeconds: number | undefined,
  stdoutIsTTY: boolean,
): PrometheusAfterRun {
  if (keepSeconds !== undefined) return { keep: true, seconds: keepSeconds };
  return stdoutIsTTY ? { keep: true, seconds: undefined } : { keep: false };
}

/** A Prometheus graph page of the run's frames/s per pod over the last `rangeSeconds`. */
export function runGraphUrl(prometheusUrl: string, runId: string, rangeSeconds: number): string {
  const expr = `sum by (pod) (crosspod:frames_received:rate{run="${runId}"})`;
  const rangeMinutes = Math.max(5, Math.ceil(rangeSeconds / 60) + 1);
  return `${prometheusUrl}/graph?${new URLSearchParams({ "g0.expr": expr, "g0.tab": "0", "g0.range_input": `${rangeMinutes}m` })}`;
}

export interface KeepPrometheusOptions {
  prometheus: PrometheusServer;
  runId: string;
  /** How long the run took, so the printed graph link covers it. */
  runSeconds: number;
  /** Stop by itself after this long; undefined = only on a signal. */
  seconds: number | undefined;
  print: (line: string) => void;
}

/** Prints where the run's series are, waits for SIGINT/SIGTERM or the keep time, then stops Prometheus. */
export async function keepPrometheus(options: KeepPrometheusOptions): Promise<void> {
  const { prometheus, seconds, print } = options;
  const bound = seconds === undefined ? "" : ` (it stops by itself after ${formatDuration(seconds)})`;
  print(`prometheus: ${prometheus.url} keeps this run's series; press Ctrl-C to stop it${bound}`);
  print(`  frames/s per pod: ${runGraphUrl(prometheus.url, options.runId, options.runSeconds)}`);
  let timer: NodeJS.Timeout | undefined;
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const ended = await new Promise<string>((resolve) => {
    onSignal = (signal) => resolve(signal);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    if (seconds !== undefined) timer = setTimeout(() => resolve("keep time over"), seconds * 1000);
  });
  clearTimeout(timer);
  if (onSignal) {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  await prometheus.close();
  print(`prometheus: stopped (${ended})`);
}

// The one Ctrl-C handling of the long-running commands (`run`, `up`): the first SIGINT or SIGTERM asks for
// an orderly stop through an AbortSignal; a second one exits at once with 130, leaving the teardown
// registry's exit hook to SIGKILL whatever child processes are left.
import { exitCodes } from "./cli-error.js";

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stops listening for the signals; call once the command's resources are closed. */
  dispose(): void;
}

const signals = ["SIGINT", "SIGTERM"] as const;

/** `onFirst` is printed (to stderr) on the first signal, e.g. what is being torn down. */
export function onInterrupt(command: string, onFirst?: (signal: NodeJS.Signals) => string): Interrupt {
  const stop = new AbortController();
  const handle = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      console.error(`\n${command}: ${signal} again, stopping now`);
      process.exit(exitCodes.interrupted);
    }
    const message = onFirst?.(signal);
    if (message) console.error(`\n${command}: ${message}`);
    stop.abort();
  };
  for (const signal of signals) process.on(signal, handle);
  return {
    signal: stop.signal,
    dispose: () => {
      for (const signal of signals) process.off(signal, handle);
    },
  };
}

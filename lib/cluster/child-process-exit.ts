// Waiting for, and ending, child processes with a bounded grace period.
import type { ChildProcess } from "node:child_process";

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Sends `signal`, then SIGKILL if the child has not exited after `graceMs`. */
export async function terminate(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 5000) {
  if (hasExited(child)) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await waitForExit(child);
  clearTimeout(timer);
}

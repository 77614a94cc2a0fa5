// Keeps the load generator and the system under test off each other's CPUs on a shared machine: the local
// cluster's processes start under `taskset -c` (util-linux; it execs the command, so the pid is the
// process's own) and the generator pins itself with `taskset -a -p`. On two cores, without this, the
// pods and Redis deschedule the generator and its frames are timestamped late.
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

/** taskset's CPU list syntax: "1", "0-2", "0,2-3". */
export const cpuListPattern = /^\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*$/;

export interface CpuSplit {
  generator: string;
  cluster: string;
}

/** The command that runs `command args` on `cpus` (taskset execs it), or the command as is. */
export function pinnedCommand(
  cpus: string | undefined,
  command: string,
  args: readonly string[],
): [string, string[]] {
  return cpus === undefined ? [command, [...args]] : ["taskset", ["-c", cpus, command, ...args]];
}

/** Pins every thread of process `pid` (this one by default) to `cpus`; throws with taskset's message. */
export function pinProcess(cpus: string, pid: number = process.pid): void {
  execFileSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: ["ignore", "ignore", "pipe"] });
}

/** Whether taskset can be run here (util-linux installed). */
export function tasksetAvailable(): boolean {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The default on a machine with few CPUs: the generator gets the last quarter (at least one CPU), the
 * cluster the rest. Undefined on one CPU (nothing to split) and from 16 CPUs (enough for both).
 */
export function defaultCpuSplit(count: number = availableParallelism()): CpuSplit | undefined {
  if (count < 2 || count >= 16) return undefined;
  const generatorCount = Math.max(1, Math.floor(count / 4));
  const first = count - generatorCount;
  return {
    generator: generatorCount === 1 ? String(first) : `${first}-${count - 1}`,
    cluster: first === 1 ? "0" : `0-${first - 1}`,
  };
}

// CPU time and RSS of other processes (pods, Redis, peers) from /proc, for CPU per delivery and memory
// per connection on the server side. Linux only; elsewhere the figures are NaN and the rows say so.
import { readFileSync } from "node:fs";

const clockTicksPerSecond = 100;

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at ") "; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return Number.NaN;
  }
}

export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export function totalCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + cpuSeconds(pid), 0);
}

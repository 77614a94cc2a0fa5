// The workload flags `crosspod run` and `crosspod k6` share: each overrides one knob of the profile
// (run-options.ts validates them, naming the flag).
import type { Command } from "commander";

export function addProfileFlags(command: Command): Command {
  return command
    .option("--connections <n>", "WebSocket connections, spread round-robin over the targets")
    .option("--rate <r>", "triggers per second (open model), e.g. 20 or 20/s")
    .option("--duration <d>", 'how long to trigger, e.g. "30s", "2m"')
    .option("--ramp <d>", "time to open all connections, linearly")
    .option("--drain <d>", "after the last trigger, how long to wait for every connection to catch up")
    .option("--trigger-pod <pod>", 'pod that receives triggers: "round-robin" or a pod name');
}

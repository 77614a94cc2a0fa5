// The flags `crosspod run` and `crosspod k6` share: the workload knobs, each overriding one knob of the
// profile, and the local cluster's shape (run-options.ts validates them all, naming the flag).
import type { Command } from "commander";
import { deliveryModes, maxReplicas } from "../cluster/local-cluster.js";

/** Commander's accumulator for a repeatable flag. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function addProfileFlags(command: Command): Command {
  return command
    .option("--connections <n>", "WebSocket connections, spread round-robin over the targets")
    .option("--rate <r>", "triggers per second (open model), e.g. 20 or 20/s")
    .option("--duration <d>", 'how long to trigger, e.g. "30s", "2m"')
    .option("--ramp <d>", "time to open all connections, linearly")
    .option("--drain <d>", "after the last trigger, how long to wait for every connection to catch up")
    .option("--trigger-pod <pod>", 'pod that receives triggers: "round-robin" or a pod name')
    .option(
      "--threshold <metric:expr>",
      "threshold overriding the profile's for that metric (repeatable)",
      collect,
      [],
    );
}

/** The auto-started local cluster's shape, for runs without --targets. */
export function addLocalClusterFlags(command: Command): Command {
  return command
    .option(
      "--delivery <mode>",
      `local cluster delivery mode: ${deliveryModes.join(" | ")} (default recover)`,
    )
    .option("--replicas <n>", `local cluster replicas, 1 to ${maxReplicas} (default 3)`);
}

// Every error reaches the user through lib/cli/error-exit.ts: its kind decides the exit code, the message
// is one line, and a stack trace appears only with --debug or CROSSPOD_DEBUG=1.
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { ChaosActionError } from "../../lib/chaos/chaos-action-error.js";
import { ControlClientError } from "../../lib/chaos/control-client.js";
import { CLIError } from "../../lib/cli/cli-error.js";
import { debugRequested, errorExit } from "../../lib/cli/error-exit.js";
import { ClusterError } from "../../lib/cluster/cluster-error.js";
import { HistogramError } from "../../lib/core/histogram-error.js";
import { ProfileError } from "../../lib/core/profile-error.js";
import { TargetError } from "../../lib/core/target-error.js";
import { EngineWorkersError } from "../../lib/engine/engine-workers.js";
import { K6RunError } from "../../lib/engine/k6-runner.js";
import { runCli } from "../fixtures/node-process.js";

const stackLine = /^\s+at /m;

describe("errorExit", () => {
  it.each([
    [
      "a bad profile field (usage)",
      new ProfileError("profile cross-pod-load: rate: expected > 0", "rate"),
      2,
    ],
    [
      "a target that does not answer (unreachable)",
      new TargetError("target http://127.0.0.1:1: ECONNREFUSED"),
      2,
    ],
    [
      "a cluster that failed to start (environment)",
      new ClusterError("pod-b not ready", "CROSSPOD_POD_NOT_READY"),
      1,
    ],
    [
      "engine workers that died (environment)",
      new EngineWorkersError("engine worker 42 exited with code 1"),
      1,
    ],
    ["a corrupt histogram (internal)", new HistogramError("not a crosspod histogram encoding"), 1],
  ])("exits with the documented code for %s, printing the message and no stack", (_name, error, code) => {
    const exit = errorExit(error, false);
    expect(exit.exitCode).toBe(code);
    expect(exit.lines[0]).toBe(`crosspod: ${error.message}`);
    expect(exit.lines.join("\n")).not.toMatch(stackLine);
  });

  it("decides the kind per instance where the code says whose move it is", () => {
    expect(errorExit(new K6RunError("no k6 scenario", "CROSSPOD_K6_PROFILE"), false).exitCode).toBe(2);
    expect(errorExit(new K6RunError("k6 was not found", "CROSSPOD_K6_NOT_FOUND"), false).exitCode).toBe(1);
    expect(errorExit(new ChaosActionError("no pod", "CROSSPOD_CHAOS_TARGET"), false).exitCode).toBe(2);
    const refused = new ControlClientError("bad token", "CROSSPOD_CONTROL_REFUSED", 401);
    expect(errorExit(refused, false).exitCode).toBe(2);
    const down = new ControlClientError("connect ECONNREFUSED", "CROSSPOD_CONTROL_UNREACHABLE");
    expect(errorExit(down, false).exitCode).toBe(1);
  });

  it("says an unknown error is a bug without a stack, and shows the stack with --debug", () => {
    const bug = new TypeError("cannot read properties of undefined (reading 'pods')");
    const quiet = errorExit(bug, false);
    expect(quiet.exitCode).toBe(1);
    expect(quiet.lines).toEqual([
      "crosspod: internal error: cannot read properties of undefined (reading 'pods')",
      "(run with --debug or CROSSPOD_DEBUG=1 for the stack trace)",
    ]);
    expect(errorExit(bug, true).lines.join("\n")).toMatch(stackLine);
    expect(errorExit(new CLIError("--rate: expected > 0", "CROSSPOD_USAGE"), true).lines.join("\n")).toMatch(
      stackLine,
    );
  });

  it("leaves commander's own usage errors to commander, with exit 2 (0 for --help)", () => {
    expect(errorExit(new CommanderError(1, "commander.unknownOption", "unknown option"), false)).toEqual({
      exitCode: 2,
      lines: [],
    });
    expect(errorExit(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"), false).exitCode).toBe(
      0,
    );
  });

  it("takes --debug from anywhere on the command line or CROSSPOD_DEBUG=1", () => {
    expect(debugRequested(["node", "cli", "run", "soak", "--debug"], {})).toBe(true);
    expect(debugRequested(["node", "cli", "up"], { CROSSPOD_DEBUG: "1" })).toBe(true);
    expect(debugRequested(["node", "cli", "up"], { CROSSPOD_DEBUG: "0" })).toBe(false);
  });
});

describe("the crosspod command", () => {
  it("exits 2 with one line and no stack for an error a user can cause (engine-worker started by hand)", async () => {
    const { code, stderr } = await runCli(["engine-worker"]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      "crosspod: engine-worker needs an IPC channel: it is started by the engine, not by hand",
    );
  });

  it("prints the stack of the same error with --debug after the sub-command", async () => {
    const { code, stderr } = await runCli(["engine-worker", "--debug"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(stackLine);
  });
});

// Which load engine runs a profile: k6 only when asked for (--engine k6); --engine auto and node run the
// built-in Node engine, which judges delivery exactly and costs less than k6 on the same workload. When auto
// finds k6 (K6_BIN or PATH) it says so and how to use it, and changes nothing else: a k6 install must not
// flip what `crosspod run` does.
import { findK6 } from "../engine/k6-runner.js";
import { CLIError } from "./cli-error.js";

export const engineNames = ["auto", "node", "k6"] as const;
export type EngineRequest = (typeof engineNames)[number];

export interface EngineChoice {
  engine: "node" | "k6";
  /** Printed before the run, so the user sees what ran and why. */
  reason: string;
  /** The k6 binary, when engine is k6. */
  k6Binary?: string;
  /** One line for --engine auto when k6 was found: where, and how to run the profile with it. */
  k6Hint?: string;
}

export interface EngineContext {
  /** k6 found on K6_BIN or PATH, if any. */
  k6Binary: string | undefined;
  /** Flags given that only the Node engine serves (--browsers, --metrics-port, --prometheus). */
  nodeOnlyFlags: readonly string[];
  /** The profile being run, named in the k6 hint. */
  profileName?: string;
}

export function chooseEngine(
  requested: EngineRequest,
  context: EngineContext = { k6Binary: findK6(), nodeOnlyFlags: [] },
): EngineChoice {
  const { k6Binary, nodeOnlyFlags, profileName = "<profile>" } = context;
  switch (requested) {
    case "node":
      return { engine: "node", reason: "--engine node" };
    case "auto":
      return {
        engine: "node",
        reason: "--engine auto: the built-in Node engine",
        ...(k6Binary === undefined
          ? {}
          : {
              k6Hint: `k6 found at ${k6Binary}; it runs only when asked: crosspod k6 ${profileName}`,
            }),
      };
    case "k6":
      if (k6Binary === undefined) {
        throw new CLIError(
          "--engine k6: k6 was not found on PATH or K6_BIN; install k6 (see the README's k6 section) or use --engine node",
          "CROSSPOD_K6_NOT_FOUND",
        );
      }
      if (nodeOnlyFlags.length > 0) {
        throw new CLIError(
          `--engine k6 does not serve ${nodeOnlyFlags.join(", ")} (Node engine only); drop them or use --engine node`,
          "CROSSPOD_ENGINE_FLAGS",
        );
      }
      return { engine: "k6", reason: `--engine k6: ${k6Binary}`, k6Binary };
  }
}

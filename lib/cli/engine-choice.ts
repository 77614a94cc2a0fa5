// Which load engine runs a profile: k6 when asked for, or with --engine auto when a k6 binary is found
// (K6_BIN or PATH) and no flag needs the Node engine; the built-in Node engine otherwise.
import { findK6 } from "../engine/k6-runner.js";
import { CLIError, exitCodes } from "./cli-error.js";

export const engineNames = ["auto", "node", "k6"] as const;
export type EngineRequest = (typeof engineNames)[number];

export interface EngineChoice {
  engine: "node" | "k6";
  /** Printed before the run, so the user sees what ran and why. */
  reason: string;
  /** The k6 binary, when engine is k6. */
  k6Binary?: string;
}

export interface EngineContext {
  /** k6 found on K6_BIN or PATH, if any. */
  k6Binary: string | undefined;
  /** Flags given that only the Node engine serves (--browsers, --metrics-port, --prometheus). */
  nodeOnlyFlags: readonly string[];
}

export function chooseEngine(
  requested: EngineRequest,
  context: EngineContext = { k6Binary: findK6(), nodeOnlyFlags: [] },
): EngineChoice {
  const { k6Binary, nodeOnlyFlags } = context;
  switch (requested) {
    case "node":
      return { engine: "node", reason: "--engine node" };
    case "auto":
      if (k6Binary !== undefined && nodeOnlyFlags.length === 0) {
        return { engine: "k6", reason: `--engine auto: k6 found at ${k6Binary}`, k6Binary };
      }
      return {
        engine: "node",
        reason:
          k6Binary === undefined
            ? "--engine auto: the built-in Node engine (no k6 on PATH or K6_BIN)"
            : `--engine auto: the built-in Node engine, which ${nodeOnlyFlags.join(", ")} need`,
      };
    case "k6":
      if (k6Binary === undefined) {
        throw new CLIError(
          "--engine k6: k6 was not found on PATH or K6_BIN; install k6 (see the README's k6 section) or use --engine node",
          "CROSSPOD_K6_NOT_FOUND",
          exitCodes.usage,
        );
      }
      if (nodeOnlyFlags.length > 0) {
        throw new CLIError(
          `--engine k6 does not serve ${nodeOnlyFlags.join(", ")} (Node engine only); drop them or use --engine node`,
          "CROSSPOD_ENGINE_FLAGS",
          exitCodes.usage,
        );
      }
      return { engine: "k6", reason: `--engine k6: ${k6Binary}`, k6Binary };
  }
}

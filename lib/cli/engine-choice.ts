// Which load engine runs a profile. One small function so the k6 engine can slot in here.
import { CLIError, exitCodes } from "./cli-error.js";

export const engineNames = ["auto", "node", "k6"] as const;
export type EngineRequest = (typeof engineNames)[number];

export interface EngineChoice {
  engine: "node" | "k6";
  /** Printed before the run, so the user sees what ran and why. */
  reason: string;
}

export function chooseEngine(requested: EngineRequest): EngineChoice {
  switch (requested) {
    case "node":
      return { engine: "node", reason: "--engine node" };
    case "auto":
      return {
        engine: "node",
        reason: "--engine auto: the built-in Node engine (k6 engine not in this build)",
      };
    case "k6":
      throw new CLIError(
        "--engine k6 is not available in this build yet; use --engine node or auto",
        "CROSSPOD_ENGINE_UNAVAILABLE",
        exitCodes.usage,
      );
  }
}

// Reads a target file (YAML or JSON) for `crosspod run --target` and `crosspod target check`: parses it here
// at the edge, validates it with lib/core's schema and builds its adapter. Every error is a usage error
// (exit 2) that names the file and the field at fault.
import type { Target } from "../core/adapters/protocol-adapter.js";
import { AdapterError, parseTargetFile, type TargetFile, targetFromFile } from "../core/target-file.js";
import { CLIError } from "./cli-error.js";
import { readConfigFile } from "./read-config-file.js";

export interface LoadedTarget {
  file: TargetFile;
  target: Target;
}

/** `source` is how the user named the file, e.g. "--target target.yaml". */
export function readTargetFile(
  path: string,
  env: Record<string, string | undefined>,
  source = `--target ${path}`,
): LoadedTarget {
  const usage = (message: string) => new CLIError(`${source}: ${message}`, "CROSSPOD_TARGET_FILE");
  const value = readConfigFile(path, (message) => {
    throw usage(message);
  });
  try {
    const file = parseTargetFile(value);
    return { file, target: targetFromFile(file, env) };
  } catch (error) {
    if (error instanceof AdapterError) throw usage(error.message);
    throw error;
  }
}

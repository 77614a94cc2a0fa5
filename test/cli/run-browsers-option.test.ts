import { describe, expect, it } from "vitest";
import { CLIError } from "../../lib/cli/cli-error.js";
import { resolveRunConfig } from "../../lib/cli/run-options.js";

/** Commander's defaults, as the run command passes them. */
const defaults = { engine: "auto", threshold: [], maxGeneratorCpu: "80" };

describe("run --browsers", () => {
  it("opens no browser pages unless asked", () => {
    expect(resolveRunConfig("cross-pod-load", defaults, {}).browsers).toBe(0);
  });

  it("takes a whole number of pages", () => {
    expect(resolveRunConfig("cross-pod-load", { ...defaults, browsers: "5" }, {}).browsers).toBe(5);
  });

  it("rejects a count that is not a whole number, or over 50, naming the flag", () => {
    for (const browsers of ["five", "-1", "51"]) {
      expect(() => resolveRunConfig("cross-pod-load", { ...defaults, browsers }, {})).toThrow(CLIError);
      expect(() => resolveRunConfig("cross-pod-load", { ...defaults, browsers }, {})).toThrow(
        /^--browsers: /,
      );
    }
  });
});

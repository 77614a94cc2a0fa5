// Fuzzing the config files a user writes (--profile-file, --target) end to end through the CLI's readers:
// any bytes give a config or a usage error (CLIError, exit 2) naming the file, never anything else.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CLIError } from "../../lib/cli/cli-error.js";
import { readTargetFile } from "../../lib/cli/read-target-file.js";
import { resolveRunConfig } from "../../lib/cli/run-options.js";

const dir = mkdtempSync(join(tmpdir(), "crosspod-config-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const yamlish = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => stringify(value)),
  fc
    .tuple(
      fc.constantFrom(
        "connections",
        "triggerRate",
        "durationSeconds",
        "thresholds",
        "adapter",
        "pods",
        "__proto__",
      ),
      fc.constantFrom(
        ".inf",
        ".nan",
        "-1",
        "1e400",
        "[1,",
        "&a [*a]",
        "!!binary AAAA",
        "{}",
        "generic-json",
        "0x10",
      ),
    )
    .map(([key, value]) => `${key}: ${value}\n`),
);

function usageOrNothing(work: () => unknown): void {
  try {
    work();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(CLIError);
    expect((error as CLIError).kind).toBe("usage");
  }
}

describe("config files", () => {
  it("give a config or a usage error naming the file, for any text", () => {
    let count = 0;
    fc.assert(
      fc.property(yamlish, (text) => {
        const path = join(dir, `f${count++}.yaml`);
        writeFileSync(path, text);
        usageOrNothing(() =>
          resolveRunConfig("cross-pod-load", { engine: "auto", threshold: [], profileFile: path }, {}),
        );
        usageOrNothing(() => readTargetFile(path, {}));
      }),
      { numRuns: 200 },
    );
  });
});

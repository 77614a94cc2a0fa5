import { describe, expect, it } from "vitest";
import { CLIError } from "../../lib/cli/cli-error.js";
import { parseSegmentFlag, resolveSplit, type SplitContext } from "../../lib/cli/split-options.js";

const plain: SplitContext = { engine: "auto", hasTargets: true, chaos: false, browsers: false };

function errorOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(CLIError);
    return (error as Error).message;
  }
  throw new Error("expected a usage error");
}

describe("split flags", () => {
  it("reads --segment i/N as the i-th of N equal segments and a colon form as k6's own", () => {
    const second = parseSegmentFlag("2/4");
    expect(second.segment.text).toBe("1/4:1/2");
    expect(second.sequence.map((segment) => segment.text)).toEqual(["0:1/4", "1/4:1/2", "1/2:3/4", "3/4:1"]);
    expect(parseSegmentFlag("1/4:1/2")).toMatchObject({ segment: { text: "1/4:1/2" }, sequence: [] });
    expect(errorOf(() => parseSegmentFlag("5/4"))).toMatch(/^--segment: .*from 1 to 4/);
  });

  it("needs --run-id, --coordinate and the pods for --segment", () => {
    expect(errorOf(() => resolveSplit({ segment: "1/2" }, plain))).toMatch(/--run-id .* --coordinate/);
    const role = resolveSplit({ segment: "1/2", runId: "r1", coordinate: "redis://127.0.0.1:6379" }, plain);
    expect(role.segment?.segment.text).toBe("0:1/2");
    expect(
      errorOf(() =>
        resolveSplit(
          { segment: "1/2", runId: "r1", coordinate: "redis://127.0.0.1:6379" },
          { ...plain, hasTargets: false },
        ),
      ),
    ).toMatch(/--targets or --target/);
  });

  it("refuses splits it cannot keep equal to one run, naming the flag", () => {
    expect(errorOf(() => resolveSplit({ runners: "3" }, { ...plain, chaos: true }))).toMatch(
      /^--runners .*--chaos/,
    );
    expect(errorOf(() => resolveSplit({ runners: "3" }, { ...plain, engine: "k6" }))).toMatch(
      /--execution-segment/,
    );
    expect(errorOf(() => resolveSplit({ runners: "0" }, plain))).toMatch(
      /^--runners: expected a whole number/,
    );
    expect(errorOf(() => resolveSplit({ runners: "3" }, plain))).toMatch(/needs --coordinate/);
    expect(resolveSplit({ runners: "3" }, { ...plain, hasTargets: false }).runners).toBe(3);
    expect(errorOf(() => resolveSplit({ runId: "x" }, plain))).toMatch(/apply with --segment or --runners/);
  });

  it("never echoes a password given in the Redis URL", () => {
    const message = errorOf(() =>
      resolveSplit({ runners: "2", coordinate: "redis://:hunter2@host:6379/x y" }, plain),
    );
    expect(message).not.toContain("hunter2");
  });
});

import { describe, expect, it } from "vitest";
import { CLIError } from "../../lib/cli/cli-error.js";
import { chooseEngine } from "../../lib/cli/engine-choice.js";

const withK6 = { k6Binary: "/usr/local/bin/k6", nodeOnlyFlags: [], profileName: "soak" };
const withoutK6 = { k6Binary: undefined, nodeOnlyFlags: [] };

describe("chooseEngine", () => {
  it("runs the Node engine when asked, whether or not k6 is installed", () => {
    expect(chooseEngine("node", withK6).engine).toBe("node");
  });

  it("keeps the Node engine for --engine auto when k6 is found, and says in one line where and how to use it", () => {
    const choice = chooseEngine("auto", withK6);
    expect(choice).toMatchObject({ engine: "node", reason: "--engine auto: the built-in Node engine" });
    expect(choice.k6Binary).toBeUndefined();
    expect(choice.k6Hint).toBe("k6 found at /usr/local/bin/k6; it runs only when asked: crosspod k6 soak");
    expect(choice.k6Hint).not.toContain("\n");
  });

  it("runs the Node engine for --engine auto without k6, with no k6 line", () => {
    const choice = chooseEngine("auto", withoutK6);
    expect(choice.engine).toBe("node");
    expect(choice.k6Hint).toBeUndefined();
  });

  it("runs k6 for --engine k6 when it is found", () => {
    expect(chooseEngine("k6", withK6)).toEqual({
      engine: "k6",
      reason: "--engine k6: /usr/local/bin/k6",
      k6Binary: "/usr/local/bin/k6",
    });
  });

  it("fails --engine k6 with usage exit 2 and how to install k6 when none is found", () => {
    expect(() => chooseEngine("k6", withoutK6)).toThrow(CLIError);
    expect(() => chooseEngine("k6", withoutK6)).toThrow(/K6_BIN.*README/);
  });

  it("fails --engine k6 naming a Node-only flag", () => {
    expect(() => chooseEngine("k6", { ...withK6, nodeOnlyFlags: ["--metrics-port"] })).toThrow(
      /--metrics-port/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { CLIError } from "../../lib/cli/cli-error.js";
import { chooseEngine } from "../../lib/cli/engine-choice.js";

const withK6 = { k6Binary: "/usr/local/bin/k6", nodeOnlyFlags: [] };
const withoutK6 = { k6Binary: undefined, nodeOnlyFlags: [] };

describe("chooseEngine", () => {
  it("runs the Node engine when asked, whether or not k6 is installed", () => {
    expect(chooseEngine("node", withK6).engine).toBe("node");
  });

  it("picks k6 for --engine auto when a k6 binary is found, and says where", () => {
    expect(chooseEngine("auto", withK6)).toEqual({
      engine: "k6",
      reason: "--engine auto: k6 found at /usr/local/bin/k6",
      k6Binary: "/usr/local/bin/k6",
    });
  });

  it("falls back to the Node engine for --engine auto without k6, and says why", () => {
    expect(chooseEngine("auto", withoutK6)).toMatchObject({
      engine: "node",
      reason: expect.stringMatching(/no k6/),
    });
  });

  it("keeps the Node engine for --engine auto when a flag only the Node engine serves is given", () => {
    const choice = chooseEngine("auto", { ...withK6, nodeOnlyFlags: ["--browsers"] });
    expect(choice).toMatchObject({ engine: "node", reason: expect.stringContaining("--browsers") });
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

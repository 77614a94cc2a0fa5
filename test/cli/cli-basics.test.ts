// What a newcomer types first: --version, --help (with examples and exit codes), a mistyped option (the
// error and a one-line hint, not the whole help), and `crosspod profiles`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../fixtures/node-process.js";

const version = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

describe("crosspod for a newcomer", () => {
  it("prints the package's version for --version and -V", async () => {
    for (const flag of ["--version", "-V"]) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    }
  });

  it("shows examples and the exit codes in --help", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Examples:\n  crosspod run cross-pod-load");
    expect(result.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}99 .*\n {2}2 .*\n {2}1 .*\n {2}130 /);
    expect(result.stdout).toMatch(/^ {2}profiles .*List the built-in workload profiles/m);
  });

  it("answers an unknown option with the error and a one-line hint, exit 2", async () => {
    for (const args of [["--bogus"], ["run", "cross-pod-load", "--conections", "5"]]) {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split("\n");
      if (args[0] === "run") expect(lines[1]).toBe("(Did you mean --connections?)");
      // The error, commander's "Did you mean --connections?" when one is close, and the hint.
      expect(lines.length).toBeLessThanOrEqual(3);
      expect(lines[0]).toMatch(/^error: unknown option '--(bogus|conections)'/);
      expect(lines.at(-1)).toContain("crosspod --help");
    }
  });

  it("lists the built-in profiles with their settings and thresholds", async () => {
    const result = await runCli(["profiles"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cross-pod-load\s+300\s+3\.0 s\s+20\/s\s+30\.0 s\s+5\.0 s\s+round-robin/);
    expect(result.stdout).toMatch(/^\s+soak\s+1000 /m);
    expect(result.stdout).toMatch(/^\s+spike\s+3000 /m);
    expect(result.stdout).toContain("spike: crosspod_lost: count==0");
    const json = await runCli(["profiles", "--json"]);
    expect((JSON.parse(json.stdout) as { name: string }[]).map((p) => p.name)).toEqual([
      "cross-pod-load",
      "soak",
      "spike",
    ]);
  });
});

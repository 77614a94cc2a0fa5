// The built CLI against inputs from the hostile-input probe: each is refused with exit 2 and one line naming
// the field, the flag or the variable, never a stack trace, and never echoing a credential.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "../fixtures/node-process.js";

const dir = mkdtempSync(join(tmpdir(), "crosspod-hostile-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function expectUsageError(result: CliResult, message: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe("crosspod refuses hostile input with exit 2 and no stack trace", () => {
  it("target check: a pod URL with a bad port or an unexpanded placeholder (D1)", async () => {
    const badPort = file("bad-port.yaml", "adapter: crosspod\npods:\n  - url: http://127.0.0.1:8081x\n");
    expectUsageError(
      await runCli(["target", "check", badPort]),
      /pods\[0\]\.url: "127\.0\.0\.1:8081x" is not a host\[:port\]/,
    );
    const placeholder = file(
      "placeholder.yaml",
      [
        "adapter: generic-json",
        "pods:",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an unexpanded placeholder is the hostile input
        "  - {name: a, url: 'http://127.0.0.1:1', ws: 'ws://127.0.0.1:${P1}/ws'}",
        "trigger: {path: /t, body: {p: '{{probe}}'}}",
        "frames: {probe: p}",
        "",
      ].join("\n"),
    );
    expectUsageError(
      await runCli(["run", "cross-pod-load", "--target", placeholder]),
      /--target .*placeholder\.yaml: pods\[0\]\.ws: .*is not a host\[:port\]/,
    );
  });

  it("target check: a file over 1 MiB is refused before parsing (D2)", async () => {
    const big = file("big.yaml", `adapter: crosspod\n# ${"x".repeat(1_100_000)}\n`);
    expectUsageError(await runCli(["target", "check", big]), /big\.yaml: the file is larger than 1024 KiB/);
  });

  it("chaos: CROSSPOD_CONTROL_URL that is not http(s) names the variable (D11)", async () => {
    const result = await runCli(["chaos", "kill-pod", "pod-a"], {
      CROSSPOD_CONTROL_URL: "file:///etc/passwd",
      CROSSPOD_CONTROL_TOKEN: "t",
    });
    expectUsageError(result, /^crosspod: CROSSPOD_CONTROL_URL: "file:\/\/\/etc\/passwd": expected a URL/);
  });

  it("run: credentials in --targets are never echoed (D14)", async () => {
    const result = await runCli(["run", "cross-pod-load", "--targets", "http://admin:hunter2@127.0.0.1:80x"]);
    expectUsageError(result, /--targets: "http:\/\/\*\*\*@127\.0\.0\.1:80x"/);
    expect(result.stderr).not.toContain("hunter2");
  });
});

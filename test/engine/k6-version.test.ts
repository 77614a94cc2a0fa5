import { describe, expect, it } from "vitest";
import {
  bundlePath,
  bundleTargetFor,
  K6UnsupportedVersionError,
} from "../../lib/engine/k6-bundle-targets.js";
import { K6VersionError, parseK6Version } from "../../lib/engine/k6-version.js";

describe("parseK6Version", () => {
  it("reads the release from k6's version line", () => {
    const version = parseK6Version("k6 v1.4.2 (commit/5b725e8a6a, go1.24.1, linux/amd64)\n");
    expect(version).toMatchObject({ major: 1, minor: 4, patch: 2, text: "v1.4.2", extensions: [] });
  });

  it("keeps a pre-release suffix and lists the extensions of an xk6 build", () => {
    const output = [
      "k6 v2.0.0-rc1 (commit/devel, go1.25.0, linux/amd64)",
      "Extensions:",
      "  github.com/grafana/xk6-redis v0.4.0, k6/x/redis [js]",
      "",
    ].join("\n");
    const version = parseK6Version(output);
    expect(version).toMatchObject({ major: 2, minor: 0, patch: 0, text: "v2.0.0-rc1" });
    expect(version.extensions).toEqual(["github.com/grafana/xk6-redis v0.4.0, k6/x/redis [js]"]);
  });

  it("names the output it could not read", () => {
    expect(() => parseK6Version("command not found")).toThrow(K6VersionError);
    expect(() => parseK6Version("command not found")).toThrow(/command not found/);
  });
});

describe("bundleTargetFor", () => {
  const target = (text: string) => bundleTargetFor(parseK6Version(`k6 ${text} (x)`));

  it("runs the default bundles on k6 v2 and later", () => {
    expect(target("v2.3.0").dir).toBe("v2");
    expect(target("v3.0.1").dir).toBe("v2");
  });

  it("runs the v1 bundles from v1.6, where k6/websockets became stable", () => {
    expect(target("v1.6.0").dir).toBe("v1");
    expect(target("v1.9.3").dir).toBe("v1");
  });

  it("runs the v1.0-1.5 bundles before v1.6, with the experimental websockets module", () => {
    expect(target("v1.0.0").dir).toBe("v1.0-1.5");
    expect(target("v1.5.9").dir).toBe("v1.0-1.5");
    expect(target("v1.5.9").moduleMap["k6/websockets"]).toBe("k6/experimental/websockets");
  });

  it("refuses k6 releases before v1.0 with a message saying what to install", () => {
    expect(() => target("v0.57.0")).toThrow(K6UnsupportedVersionError);
    expect(() => target("v0.57.0")).toThrow(/v1\.0 or later/);
  });

  it("places each target's bundles in a folder under dist/k6 named by its k6 line", () => {
    expect(bundlePath(target("v2.3.0"), "soak")).toBe("dist/k6/v2/soak.js");
    expect(bundlePath(target("v1.6.0"), "spike")).toBe("dist/k6/v1/spike.js");
  });
});

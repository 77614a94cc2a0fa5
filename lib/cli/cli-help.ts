// What `crosspod --help` adds after commander's generated usage, and the package version for --version.
// The version is read from the package.json next to dist/ (or the repository root under tsx), so a
// release never needs a second place to bump.
import { readFileSync } from "node:fs";

/** The `version` of the nearest package.json named crosspod above this file, or "unknown". */
export function crosspodVersion(from: string = import.meta.url): string {
  for (let url = new URL("./", from); url.pathname !== "/"; url = new URL("../", url)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "crosspod" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // No package.json at this level: keep walking up.
    }
  }
  return "unknown";
}

export const helpExamples = `
Examples:
  crosspod run cross-pod-load                          300 connections, 20 triggers/s for 30 s on a local cluster
  crosspod run cross-pod-load --connections 2000 --duration 1m --html report.html
  crosspod run soak --targets http://10.0.0.5:8080,http://10.0.0.6:8080 --out json=soak.json
  crosspod run cross-pod-load --chaos kill-pod:pod-b@10s,restart-pod:pod-b@15s
  crosspod target check examples/crosspod-target.yaml  one trigger round trip against another backend
  crosspod up --control-port 0                         a local cluster until Ctrl-C
  crosspod profiles                                    the built-in profiles and their settings

Exit codes:
  0    every threshold passed and the run is valid
  99   a threshold failed, or the run is invalid or measured nothing
  2    bad usage or configuration (the message names the flag, variable or file field)
  1    internal error
  130  interrupted with Ctrl-C (after the partial summary)
`;

/** Printed after a usage error instead of the whole help: one line saying where help is. */
export const usageHint =
  "(crosspod --help lists commands and examples; crosspod <command> --help its options)";

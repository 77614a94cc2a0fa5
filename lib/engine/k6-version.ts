// Reads which k6 release a binary is, from the first line of `k6 version`
// ("k6 v1.4.2 (commit/…, go1.24.1, linux/amd64)"), and which extensions it was built with.

import { execFile } from "node:child_process";
import { CrosspodError } from "../core/crosspod-error.js";

export interface K6Version {
  major: number;
  minor: number;
  patch: number;
  /** As printed, e.g. "v2.3.0". */
  text: string;
  /** Extension lines k6 lists under "Extensions:" (custom xk6 builds). */
  extensions: string[];
}

export class K6VersionError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_VERSION";
  override readonly kind = "environment";
}

export function parseK6Version(output: string): K6Version {
  const match = /\bk6\s+v?(\d+)\.(\d+)\.(\d+)([-+.\w]*)/.exec(output);
  if (!match) {
    const firstLine = output.trim().split("\n")[0] ?? "";
    throw new K6VersionError(`could not read a k6 version from \`k6 version\` output: "${firstLine}"`);
  }
  const [, major, minor, patch, suffix] = match;
  const lines = output.split("\n");
  const start = lines.findIndex((line) => /^\s*extensions:/i.test(line));
  const extensions =
    start < 0
      ? []
      : lines
          .slice(start + 1)
          .map((line) => line.trim())
          .filter(Boolean);
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    text: `v${major}.${minor}.${patch}${suffix ?? ""}`,
    extensions,
  };
}

/** Runs `<binary> version` with a timeout and parses its output. */
export function readK6Version(binary: string, timeoutMs = 15_000): Promise<K6Version> {
  return new Promise((resolve, reject) => {
    execFile(binary, ["version"], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) {
        reject(new K6VersionError(`\`${binary} version\` failed: ${error.message} ${stderr}`.trim()));
        return;
      }
      try {
        resolve(parseK6Version(`${stdout}\n${stderr}`));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}

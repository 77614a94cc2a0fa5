// Reads a user's YAML or JSON config file (target file, profile file) at the edge: at most 1 MiB (a 13.5 MB
// file once took 16 s and 1.2 GB before the schema refused it), parsed as YAML 1.2 (JSON is YAML), and with
// no `__proto__` key anywhere (it would be dropped silently by the record schemas downstream). Every problem
// goes to `fail` as one sentence; the caller prefixes the flag and file.
import { closeSync, openSync, readSync } from "node:fs";
import { parse as parseYaml } from "yaml";

export const maxConfigFileBytes = 1024 * 1024;

function readBounded(path: string, maxBytes: number): Buffer | "too big" {
  const fd = openSync(path, "r");
  try {
    // Read one byte past the cap so a larger file (or an endless one such as /dev/zero) is refused unread.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return length > maxBytes ? "too big" : buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

function protoKeyPath(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value !== "object" || value === null || depth > 64) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;
    if (key === "__proto__") return childPath;
    const nested = protoKeyPath(child, childPath, depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/** The parsed document; `fail` receives e.g. "is larger than 1 MiB" and must throw. */
export function readConfigFile(
  path: string,
  fail: (message: string) => never,
  maxBytes = maxConfigFileBytes,
): unknown {
  let bytes: Buffer | "too big";
  try {
    bytes = readBounded(path, maxBytes);
  } catch (error) {
    return fail(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (bytes === "too big") {
    return fail(`the file is larger than ${maxBytes / 1024} KiB; a config file this large is a mistake`);
  }
  let value: unknown;
  try {
    // Unknown tags and the like are refused by the schema afterwards; no process warning for them.
    value = parseYaml(bytes.toString("utf8"), { logLevel: "error" });
  } catch (error) {
    return fail(`not valid YAML or JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const proto = protoKeyPath(value, "", 0);
  if (proto !== undefined) return fail(`${proto}: "__proto__" is not accepted as a key`);
  return value;
}

// Locates an executable the way a shell would: an explicit override, then PATH, then Debian's usual places.
import { accessSync, constants } from "node:fs";
import { join } from "node:path";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findBinary(name: string, override?: string): string | undefined {
  if (override) return isExecutable(override) ? override : undefined;
  const dirs = [
    ...(process.env.PATH ?? "").split(":").filter(Boolean),
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/bin",
  ];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

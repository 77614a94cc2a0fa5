// Validates a command's parsed flags against its zod schema; every issue becomes part of one usage error
// that names the flag as the user typed it and the value given, e.g. `--replicas: too big (got "99")`.
import type { z } from "zod";
import { CLIError } from "./cli-error.js";

/** `flagNames` maps commander's option keys to the flags as typed (`redisUrl` → `--redis-url`). */
export function parseFlags<Schema extends z.ZodType>(
  schema: Schema,
  raw: Record<string, unknown>,
  flagNames: Readonly<Record<string, string>>,
): z.output<Schema> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const messages = parsed.error.issues.map((issue) => {
    const key = issue.path[0];
    const flag = typeof key === "string" && key in flagNames ? flagNames[key] : key;
    const given = typeof key === "string" && key in raw ? ` (got ${JSON.stringify(raw[key])})` : "";
    return `${String(flag ?? "options")}: ${issue.message}${given}`;
  });
  throw new CLIError(messages.join("; "), "CROSSPOD_USAGE");
}

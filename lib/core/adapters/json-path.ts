// Paths into parsed JSON frames ("data.id", "$.items[0].probe", "args.0"), compiled once into accessor
// functions so reading a field per frame walks a prepared key list and allocates nothing.
import { AdapterError } from "./adapter-error.js";

export type JsonAccessor = (value: unknown) => unknown;

const segmentPattern = /^[^.[\]]+$/;

/** Splits "a.b[2].c" into ["a", "b", 2, "c"]; `field` names the target-file field for errors. */
export function parseJsonPath(path: string, field: string): (string | number)[] {
  const text = path.trim().replace(/^\$\.?/, "");
  if (text === "") throw new AdapterError(field, `path "${path}" is empty: expected e.g. "data.id"`);
  const keys: (string | number)[] = [];
  for (const part of text.split(".")) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (match === null || (match[1] === "" && match[2] === "")) {
      throw new AdapterError(
        field,
        `path "${path}" is malformed at "${part}": expected keys like data.items[0].id`,
      );
    }
    const name = match[1] as string;
    if (name !== "") {
      if (!segmentPattern.test(name)) throw new AdapterError(field, `path "${path}" has a bad key "${name}"`);
      keys.push(/^\d+$/.test(name) ? Number(name) : name);
    }
    for (const index of (match[2] as string).matchAll(/\[(\d+)\]/g)) keys.push(Number(index[1]));
  }
  return keys;
}

/** An accessor for `path`: the value there, or undefined when any step is missing. */
export function compileJsonPath(path: string, field: string): JsonAccessor {
  const keys = parseJsonPath(path, field);
  if (keys.length === 1) {
    const key = keys[0] as string | number;
    return (value) =>
      typeof value === "object" && value !== null
        ? (value as Record<string | number, unknown>)[key]
        : undefined;
  }
  return (value) => {
    let current = value;
    for (let i = 0; i < keys.length; i++) {
      if (typeof current !== "object" || current === null) return undefined;
      current = (current as Record<string | number, unknown>)[keys[i] as string | number];
    }
    return current;
  };
}

// The one place an error becomes an exit code and a message. A crosspod error's kind says whose move it is
// (see lib/core/crosspod-error.ts); its message already names what to change, so no stack trace is printed
// unless asked for with --debug or CROSSPOD_DEBUG=1. Anything else is a bug: one line saying so, and the
// stack behind the same switch.
import { CommanderError } from "commander";
import { CrosspodError, type ErrorKind } from "../core/crosspod-error.js";
import { exitCodes } from "./cli-error.js";

/** As the README's exit-code table documents them. */
export const exitCodeOfKind: Record<ErrorKind, number> = {
  usage: exitCodes.usage,
  unreachable: exitCodes.usage,
  environment: exitCodes.internal,
  internal: exitCodes.internal,
};

export interface ErrorExit {
  exitCode: number;
  /** What to print on stderr; empty when the error printed itself (commander's usage errors). */
  lines: string[];
}

export function errorExit(error: unknown, debug: boolean): ErrorExit {
  if (error instanceof CommanderError) {
    return { exitCode: error.exitCode === 0 ? exitCodes.ok : exitCodes.usage, lines: [] };
  }
  const stack = debug && error instanceof Error && error.stack ? [error.stack] : [];
  if (error instanceof CrosspodError) {
    const hint = error.kind === "internal" && !debug ? [hintDebug] : [];
    return { exitCode: exitCodeOfKind[error.kind], lines: [`crosspod: ${error.message}`, ...hint, ...stack] };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: exitCodes.internal,
    lines: [`crosspod: internal error: ${message}`, ...(debug ? stack : [hintDebug])],
  };
}

const hintDebug = "(run with --debug or CROSSPOD_DEBUG=1 for the stack trace)";

/** --debug anywhere on the command line, or CROSSPOD_DEBUG=1 in the environment. */
export function debugRequested(argv: readonly string[], env: Record<string, string | undefined>): boolean {
  return argv.includes("--debug") || env.CROSSPOD_DEBUG === "1";
}

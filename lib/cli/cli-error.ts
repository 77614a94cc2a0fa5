// Errors the CLI itself raises (a flag, variable or file it reads), and the exit codes of the `crosspod`
// command. Every crosspod error's kind maps to one of these in ./error-exit.ts.
import { CrosspodError, type ErrorKind } from "../core/crosspod-error.js";

export const exitCodes = {
  ok: 0,
  internal: 1,
  usage: 2,
  thresholdsFailed: 99,
  interrupted: 130,
} as const;

export class CLIError extends CrosspodError {
  constructor(
    message: string,
    override readonly code: string,
    override readonly kind: ErrorKind = "usage",
  ) {
    super(message);
    this.name = "CLIError";
  }
}

// Errors the CLI reports without a stack trace, with the exit code they map to.
export const exitCodes = {
  ok: 0,
  internal: 1,
  usage: 2,
  thresholdsFailed: 99,
} as const;

export class CLIError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: number = exitCodes.usage,
  ) {
    super(message);
    this.name = "CLIError";
  }
}

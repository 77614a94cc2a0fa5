// The one base of every crosspod error: a stable machine-readable `code` (CROSSPOD_…) and a `kind` that
// says whose move it is, which the CLI maps to an exit code in one place (lib/cli/error-exit.ts):
// - usage: the input is wrong (a flag, variable, file field, profile); the message names it. Exit 2.
// - unreachable: a target the user named does not answer or does not speak the protocol. Exit 2.
// - environment: something crosspod starts or needs on this machine failed (a binary missing, a pod that
//   never became ready, a port taken, a child process that died). Exit 1.
// - internal: a broken invariant, i.e. a bug. Exit 1.
// No kind prints a stack trace unless asked for (--debug): the message has to say what to change.

export const errorKinds = ["usage", "unreachable", "environment", "internal"] as const;
export type ErrorKind = (typeof errorKinds)[number];

export abstract class CrosspodError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

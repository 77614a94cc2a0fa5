// Last-resort cleanup for child processes this process started, so none outlives it.
// On `exit` only synchronous code runs, so owners register a sync kill. On SIGINT/SIGTERM/SIGHUP, when
// nobody else handles the signal, owners get an orderly async close, then the signal is re-raised so the
// process ends the way it would have without us. When the application has its own handler (`crosspod up`),
// it owns shutdown and the `exit` hook stays the backstop.

export interface TeardownOwner {
  /** Orderly shutdown, used on a signal nobody else handles. */
  close(): Promise<void>;
  /** Immediate synchronous kill, used on `exit`. */
  killNow(): void;
}

const handledSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const signalCloseGraceMs = 10_000;
const owners = new Set<TeardownOwner>();
let closingOnSignal = false;

function killAllNow(): void {
  for (const owner of owners) owner.killNow();
}

async function closeOnSignal(signal: NodeJS.Signals): Promise<void> {
  // Our own listener is always registered; more than one means the application handles the signal.
  if (process.listenerCount(signal) > 1 || closingOnSignal) return;
  closingOnSignal = true;
  const closing = Promise.allSettled([...owners].map((owner) => owner.close()));
  const timeout = new Promise((resolve) => setTimeout(resolve, signalCloseGraceMs).unref());
  await Promise.race([closing, timeout]);
  killAllNow();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  process.on("exit", killAllNow);
  for (const signal of handledSignals) process.on(signal, closeOnSignal);
}

function uninstall(): void {
  process.off("exit", killAllNow);
  for (const signal of handledSignals) process.off(signal, closeOnSignal);
}

/** Registers an owner of child processes; call the returned function once they are gone. */
export function registerTeardown(owner: TeardownOwner): () => void {
  if (owners.size === 0) install();
  owners.add(owner);
  return () => {
    if (!owners.delete(owner)) return;
    if (owners.size === 0) uninstall();
  };
}

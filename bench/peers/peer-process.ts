// Runs one bench peer (a module under bench/peers with a `--main` entry) as a child process through tsx,
// and waits for the JSON line `{"listening":PORT}` it prints once it accepts connections.

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CrosspodError } from "../../lib/core/crosspod-error.js";

export class PeerProcessError extends CrosspodError {
  override readonly code = "CROSSPOD_BENCH_PEER";
  override readonly kind = "environment";
}

export interface PeerProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

const startTimeoutMs = 20_000;
const stopGraceMs = 5_000;

/** `entry`: a module path relative to bench/peers, e.g. "floor-pod.ts"; `env` configures it. */
export function startPeerProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
): Promise<PeerProcess> {
  const path = fileURLToPath(new URL(entry, import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", path, "--main"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    let lines = "";
    const timer = setTimeout(
      () => fail(`did not print {"listening":PORT} within ${startTimeoutMs} ms`),
      startTimeoutMs,
    );
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new PeerProcessError(`bench peer ${name} (${entry}): ${reason}\n${output}`));
    };
    child.once("exit", (code, signal) => fail(`exited while starting (${signal ?? `code ${code}`})`));
    child.stdout?.on("data", (chunk: Buffer) => {
      lines += chunk.toString();
      const match = /\{"listening":(\d+)\}/.exec(lines);
      if (match === null) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout?.removeAllListeners("data");
      child.stdout?.resume();
      resolve({ name, port: Number(match[1]), pid: child.pid as number, stop: () => stopChild(child) });
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), stopGraceMs);
  await exited;
  clearTimeout(timer);
}

/** Reads a peer's settings from the environment (validated by the caller's zod schema). */
export function isMain(argv: readonly string[]): boolean {
  return argv.includes("--main");
}

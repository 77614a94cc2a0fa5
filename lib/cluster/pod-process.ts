// One backend replica as a child process (`node dist/cli.js backend`): start, readiness, kill, restart.
// The port is chosen on the first start and kept for restarts, so clients and chaos reconnect to the same URL.

import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { hasExited, terminate } from "./child-process-exit.js";
import { ClusterError } from "./cluster-error.js";
import { pinnedCommand } from "./cpu-pinning.js";
import { freePort } from "./free-port.js";
import { PodOutput } from "./pod-output.js";

export interface PodProcessOptions {
  name: string;
  host: string;
  /** Fixed port; when absent a free one is picked on the first start. */
  port?: number;
  cliPath: string;
  /** CPUs to run on (taskset list, e.g. "0" or "0-2"); any when undefined. */
  cpus?: string | undefined;
  /** The backend's environment apart from PORT, HOST and POD_NAME, which the pod sets. */
  env: Record<string, string>;
  /** Append stdout/stderr to this file; when absent they go to the console, prefixed with the pod name. */
  logFile?: string;
  readyTimeoutMs: number;
  /** Grace between SIGTERM and SIGKILL when stopping. */
  stopGraceMs: number;
}

export interface PodExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the exit followed our own kill or stop, false for a crash. */
  expected: boolean;
}

export type PodExitListener = (exit: PodExit) => void;

const readyPollIntervalMs = 100;
const readyRequestTimeoutMs = 1000;
const portTakenAttempts = 3;

/** fetch() reports "fetch failed"; the cause says why (ECONNREFUSED, a timeout). */
function fetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}

export class PodProcess {
  readonly name: string;
  readonly host: string;
  private assignedPort: number | undefined;
  private everReady = false;
  private child: ChildProcess | undefined;
  private exitExpected = false;
  private exitInfo: PodExit | undefined;
  private spawnError: Error | undefined;
  private readonly output: PodOutput;
  private readonly exitListeners = new Set<PodExitListener>();

  constructor(private readonly options: PodProcessOptions) {
    this.name = options.name;
    this.host = options.host;
    this.assignedPort = options.port;
    this.output = new PodOutput(options.name, options.logFile);
  }

  get port(): number {
    if (this.assignedPort === undefined) {
      throw new ClusterError(`${this.name} has no port before its first start`, "CROSSPOD_POD_NOT_READY");
    }
    return this.assignedPort;
  }

  get httpUrl(): string {
    return `http://${this.host}:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://${this.host}:${this.port}/ws`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && !hasExited(this.child) && this.spawnError === undefined;
  }

  /** How the last run ended, or undefined while it has never exited. */
  get lastExit(): PodExit | undefined {
    return this.exitInfo;
  }

  get logFile(): string | undefined {
    return this.options.logFile;
  }

  /** The last lines the current (or last) run wrote to stdout/stderr. */
  recentOutput(maxLines = 20): string {
    return this.output.tail(maxLines);
  }

  /** Called on every exit of the process, expected or not. Returns a function that unsubscribes. */
  onExit(listener: PodExitListener): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /**
   * Starts the process (only waits while it is already running) and resolves once /readyz answers 200.
   * On failure the process is left as it is, so a pod started while Redis is down can still become ready
   * (waitReady again); kill() or the cluster's close() ends it.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.running) return this.waitReady(this.options.readyTimeoutMs, signal);
    // A free port can be taken by another process before the pod binds it; before the pod was ever
    // ready, move to another port. After that the port is the pod's identity and must not change.
    const attempts = this.everReady || this.options.port !== undefined ? 1 : portTakenAttempts;
    for (let attempt = 1; ; attempt++) {
      this.assignedPort ??= await freePort(this.host);
      this.spawnChild();
      try {
        await this.waitReady(this.options.readyTimeoutMs, signal);
        this.everReady = true;
        return;
      } catch (error) {
        const portTaken = /EADDRINUSE/.test(this.recentOutput(50));
        if (!portTaken || attempt >= attempts) throw error;
        await this.kill("SIGKILL");
        this.assignedPort = await freePort(this.host);
      }
    }
  }

  /** Polls /readyz until it answers 200; fails early, with the pod's last output, if the process exits. */
  async waitReady(timeoutMs = this.options.readyTimeoutMs, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastAnswer = "no answer yet";
    for (;;) {
      if (signal?.aborted) {
        throw new ClusterError(
          `waiting for ${this.name} to be ready was aborted`,
          "CROSSPOD_CLUSTER_ABORTED",
        );
      }
      if (!this.running) {
        const exit = this.exitInfo;
        const how = this.spawnError
          ? `(could not spawn: ${this.spawnError.message})`
          : `with code ${exit?.code} (signal ${exit?.signal})`;
        throw new ClusterError(
          `${this.name} exited ${how} before it was ready on ${this.httpUrl}; its last output:\n${this.recentOutput()}`,
          "CROSSPOD_POD_EXITED",
        );
      }
      try {
        const response = await fetch(`${this.httpUrl}/readyz`, {
          signal: AbortSignal.timeout(readyRequestTimeoutMs),
        });
        await response.body?.cancel();
        if (response.status === 200) return;
        lastAnswer = `HTTP ${response.status}`;
      } catch (error) {
        lastAnswer = fetchFailure(error);
      }
      if (Date.now() >= deadline) {
        throw new ClusterError(
          `${this.name} was not ready on ${this.httpUrl}/readyz within ${timeoutMs} ms (last answer: ${lastAnswer}); ` +
            `its last output:\n${this.recentOutput()}`,
          "CROSSPOD_POD_NOT_READY",
        );
      }
      await delay(readyPollIntervalMs);
    }
  }

  /**
   * Sends `signal` and resolves with how the process ended. SIGTERM is the graceful path (the backend
   * closes clients with 1001 and exits 0); after `graceMs` it is escalated to SIGKILL.
   */
  async kill(
    signal: "SIGTERM" | "SIGKILL" = "SIGTERM",
    graceMs = this.options.stopGraceMs,
  ): Promise<PodExit> {
    const child = this.child;
    if (!child || !this.running) {
      return this.exitInfo ?? { code: null, signal: null, expected: true };
    }
    this.exitExpected = true;
    // The exit listener installed at spawn runs before terminate() resolves, so exitInfo is set by then.
    await terminate(child, signal, graceMs);
    return this.exitInfo as PodExit;
  }

  /** Synchronous SIGKILL for the process `exit` hook, where nothing asynchronous runs. */
  killNow(): void {
    if (this.running) this.child?.kill("SIGKILL");
  }

  private spawnChild(): void {
    const env = {
      ...this.options.env,
      PORT: String(this.port),
      HOST: this.host,
      POD_NAME: this.name,
    };
    const stdio = this.output.beginRun();
    // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops pods in order.
    const [command, args] = pinnedCommand(this.options.cpus, process.execPath, [
      this.options.cliPath,
      "backend",
    ]);
    const child = spawn(command, args, { env, stdio, detached: true });
    this.output.attach(child);
    this.child = child;
    this.exitExpected = false;
    this.exitInfo = undefined;
    this.spawnError = undefined;
    child.once("error", (error) => {
      this.spawnError = error;
    });
    child.once("exit", (code, signal) => {
      const exit: PodExit = { code, signal, expected: this.exitExpected };
      this.exitInfo = exit;
      for (const listener of [...this.exitListeners]) listener(exit);
    });
  }
}

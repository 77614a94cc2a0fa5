// Spreads a run's connections over worker processes: one process cannot hold more connections than its
// open-file limit (20,000 here), and worker_threads share that limit, so past it the engine forks
// `crosspod engine-worker` processes, each with a ConnectionPool of its share, and, when one source
// address's ephemeral ports run short, binds connections to several 127.0.0.x addresses. Figures come
// back over IPC and merge exactly (HDR histograms travel encoded).

import { type ChildProcess, fork } from "node:child_process";
import { CrosspodError } from "../core/crosspod-error.js";
import type { Accounting, PublishedTrigger } from "../core/delivery-checker.js";
import { LatencyHistogram } from "../core/latency-histogram.js";
import { PodRecorder } from "../core/run-recorder.js";
import type { ConnectionTarget } from "./client-connection.js";
import {
  type WorkerAdapter,
  type WorkerReply,
  type WorkerRequest,
  workerReplySchema,
} from "./engine-worker-protocol.js";
import { openFileLimit } from "./generator-health.js";
import { sourceAddressesFor } from "./source-addresses.js";

export class EngineWorkersError extends CrosspodError {
  override readonly code = "CROSSPOD_ENGINE_WORKERS";
  override readonly kind = "environment";
}

export interface EngineWorkersOptions {
  /** The built CLI; workers run as `node <cliPath> engine-worker`. */
  cliPath: string;
  runId: string;
  targets: readonly ConnectionTarget[];
  connections: number;
  /** Ramp length; every worker ramps its share over the same time. */
  rampSeconds: number;
  accounting: Accounting;
  /** Default: the open-file limit less headroom for the worker's own files (about 18,000 here). */
  maxConnectionsPerWorker?: number;
  /** Source addresses to spread connections over; default: only when the port range runs short. */
  sourceAddresses?: readonly string[];
  /** Default: the reference backend's protocol. */
  adapter?: WorkerAdapter;
  /** Per worker: from its first connect to its last hello. Default 60 s. */
  connectTimeoutMs?: number;
}

/** A worker needs a few files besides its sockets (stdio, IPC, node itself). */
const fileHeadroom = 1_500;
const requestTimeoutMs = 120_000;
const exitGraceMs = 10_000;

export interface OpenFigures {
  workers: number;
  connected: number;
  connectErrors: Record<string, number>;
  /** Slowest worker's open time: all ramp in parallel. */
  openMs: number;
  /** Σ (worker RSS with connections open − its RSS before the ramp). */
  rssGrowthBytes: number;
  sourceAddresses: readonly string[];
}

export interface WindowFigures {
  frames: number;
  connected: number;
  fanout: LatencyHistogram;
  /** Per worker: every one must stay healthy for the window to count. */
  workers: { cpuFraction: number; eventLoopLagP99Ms: number; rssBytes: number }[];
}

/** Connections per worker: as few workers as the per-worker cap allows, shares differing by at most 1. */
export function planWorkerShares(connections: number, maxPerWorker: number): number[] {
  if (!(Number.isInteger(connections) && connections > 0)) {
    throw new EngineWorkersError(`connections ${connections} is invalid: expected a whole number > 0`);
  }
  if (!(Number.isInteger(maxPerWorker) && maxPerWorker > 0)) {
    throw new EngineWorkersError(
      `maxConnectionsPerWorker ${maxPerWorker} is invalid: expected a whole number > 0`,
    );
  }
  const workers = Math.ceil(connections / maxPerWorker);
  const base = Math.floor(connections / workers);
  return Array.from({ length: workers }, (_, i) => base + (i < connections % workers ? 1 : 0));
}

/** Default per-worker cap from this process's open-file limit (workers inherit it). */
export function defaultMaxConnectionsPerWorker(): number {
  return Math.max(100, (openFileLimit() ?? 1024) - fileHeadroom);
}

class WorkerChannel {
  private readonly replies: WorkerReply[] = [];
  private waiter: (() => void) | undefined;
  private exited: string | undefined;

  constructor(readonly child: ChildProcess) {
    child.on("message", (message: unknown) => {
      const parsed = workerReplySchema.safeParse(message);
      this.replies.push(
        parsed.success ? parsed.data : { type: "error", message: "worker sent a malformed reply" },
      );
      this.waiter?.();
    });
    child.on("exit", (code, signal) => {
      this.exited = `engine worker ${child.pid} exited (${signal ?? `code ${code}`})`;
      this.waiter?.();
    });
  }

  /** Sends a request (or none) and waits for the next reply of `type`; an error reply rejects. */
  async request<T extends WorkerReply["type"]>(
    request: WorkerRequest | undefined,
    type: T,
  ): Promise<Extract<WorkerReply, { type: T }>> {
    if (request !== undefined && this.exited === undefined) this.child.send(request);
    const deadline = performance.now() + requestTimeoutMs;
    for (;;) {
      const next = this.replies.shift();
      if (next?.type === "error")
        throw new EngineWorkersError(`engine worker ${this.child.pid}: ${next.message}`);
      if (next !== undefined) {
        if (next.type === type) return next as Extract<WorkerReply, { type: T }>;
        throw new EngineWorkersError(
          `engine worker ${this.child.pid} answered ${next.type}, expected ${type}`,
        );
      }
      if (this.exited !== undefined) throw new EngineWorkersError(this.exited);
      const left = deadline - performance.now();
      if (left <= 0)
        throw new EngineWorkersError(
          `engine worker ${this.child.pid} sent no ${type} within ${requestTimeoutMs} ms`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.exited !== undefined) return;
    try {
      await this.request({ type: "close" }, "closed");
    } catch {
      // A worker that cannot close cleanly is killed below.
    }
    if (this.exited !== undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    const timer = setTimeout(() => this.child.kill("SIGKILL"), exitGraceMs);
    this.child.disconnect();
    await exited;
    clearTimeout(timer);
  }
}

export class EngineWorkers {
  private constructor(
    private readonly channels: WorkerChannel[],
    private readonly shares: number[],
    private readonly options: EngineWorkersOptions,
    readonly sourceAddresses: readonly string[],
  ) {}

  static async start(options: EngineWorkersOptions): Promise<EngineWorkers> {
    if (options.targets.length === 0) throw new EngineWorkersError("no targets: expected at least one pod");
    const shares = planWorkerShares(
      options.connections,
      options.maxConnectionsPerWorker ?? defaultMaxConnectionsPerWorker(),
    );
    const sourceAddresses =
      options.sourceAddresses ??
      sourceAddressesFor(
        options.connections,
        options.targets.map((t) => t.wsUrl),
      ) ??
      [];
    const channels = shares.map(
      () =>
        new WorkerChannel(
          fork(options.cliPath, ["engine-worker"], { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
        ),
    );
    const workers = new EngineWorkers(channels, shares, options, sourceAddresses);
    try {
      await Promise.all(channels.map((channel) => channel.request(undefined, "ready")));
    } catch (error) {
      await workers.close();
      throw error;
    }
    return workers;
  }

  get count(): number {
    return this.channels.length;
  }

  /** Ramps every worker's share at once and waits for their hellos (or each worker's timeout). */
  async open(): Promise<OpenFigures> {
    const { targets, sourceAddresses } = {
      targets: this.options.targets,
      sourceAddresses: this.sourceAddresses,
    };
    let offset = 0;
    const replies = await Promise.all(
      this.channels.map((channel, w) => {
        const share = this.shares[w] as number;
        // Each worker's targets rotate from where the previous one stopped, so pods stay balanced; a
        // worker's connections cycle through targets and source addresses in lockstep.
        const workerTargets = Array.from(
          { length: Math.min(share, lcm(targets.length, Math.max(1, sourceAddresses.length))) },
          (_, i) => {
            const target = targets[(offset + i) % targets.length] as ConnectionTarget;
            const address = sourceAddresses[(offset + i) % Math.max(1, sourceAddresses.length)];
            return address === undefined
              ? { wsUrl: target.wsUrl, pod: target.pod }
              : { wsUrl: target.wsUrl, pod: target.pod, localAddress: address };
          },
        );
        offset += share;
        return channel.request(
          {
            type: "open",
            runId: this.options.runId,
            targets: workerTargets,
            connections: share,
            rampSeconds: this.options.rampSeconds,
            accounting: this.options.accounting,
            connectTimeoutMs: this.options.connectTimeoutMs ?? 60_000,
            ...(this.options.adapter === undefined ? {} : { adapter: this.options.adapter }),
          },
          "opened",
        );
      }),
    );
    const connectErrors: Record<string, number> = {};
    for (const reply of replies) {
      for (const [cause, count] of Object.entries(reply.connectErrors)) {
        connectErrors[cause] = (connectErrors[cause] ?? 0) + count;
      }
    }
    return {
      workers: this.channels.length,
      connected: sum(replies.map((r) => r.connected)),
      connectErrors,
      openMs: Math.max(...replies.map((r) => r.openMs)),
      rssGrowthBytes: sum(replies.map((r) => Math.max(0, r.rssBytes - r.rssBeforeBytes))),
      sourceAddresses,
    };
  }

  /** Frames received and connections open, summed over the workers. */
  async status(): Promise<{ frames: number; connected: number }> {
    const replies = await Promise.all(
      this.channels.map((channel) => channel.request({ type: "status" }, "status")),
    );
    return { frames: sum(replies.map((r) => r.frames)), connected: sum(replies.map((r) => r.connected)) };
  }

  async windowStart(): Promise<void> {
    await Promise.all(this.channels.map((channel) => channel.request({ type: "window-start" }, "ok")));
  }

  async windowEnd(): Promise<WindowFigures> {
    const replies = await Promise.all(
      this.channels.map((channel) => channel.request({ type: "window-end" }, "window")),
    );
    const fanout = new LatencyHistogram();
    for (const reply of replies) fanout.merge(LatencyHistogram.decode(reply.fanout));
    return {
      frames: sum(replies.map((r) => r.frames)),
      connected: sum(replies.map((r) => r.connected)),
      fanout,
      workers: replies.map(({ cpuFraction, eventLoopLagP99Ms, rssBytes }) => ({
        cpuFraction,
        eventLoopLagP99Ms,
        rssBytes,
      })),
    };
  }

  /** Settles every worker's delivery checkers and merges their figures per delivering pod. */
  async finish(
    published: readonly PublishedTrigger[],
    headSeq: number | undefined,
  ): Promise<Map<string, PodRecorder>> {
    const replies = await Promise.all(
      this.channels.map((channel) =>
        channel.request(
          { type: "finish", published: [...published], ...(headSeq === undefined ? {} : { headSeq }) },
          "finished",
        ),
      ),
    );
    const pods = new Map<string, PodRecorder>();
    for (const reply of replies) {
      for (const [name, encoded] of Object.entries(reply.pods)) {
        const part = new PodRecorder();
        part.fanout.merge(LatencyHistogram.decode(encoded.fanout));
        part.e2e.merge(LatencyHistogram.decode(encoded.e2e));
        part.reconnectTime.merge(LatencyHistogram.decode(encoded.reconnectTime));
        Object.assign(part.connections, encoded.connections);
        part.delivery = encoded.delivery;
        let pod = pods.get(name);
        if (!pod) {
          pod = new PodRecorder();
          pods.set(name, pod);
        }
        pod.merge(part);
      }
    }
    return pods;
  }

  /** Closes every worker's connections and ends the processes; kills a worker that does not exit. */
  async close(): Promise<void> {
    await Promise.all(this.channels.map((channel) => channel.stop()));
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

// Runs a private redis-server from PATH on a free loopback port, in its own temp dir.
// No persistence unless asked, so a restart loses history (the epoch changes); chaos uses both modes.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CrosspodError } from "../core/crosspod-error.js";
import { findBinary } from "../node-platform/find-binary.js";
import { registerTeardown } from "../node-platform/teardown-on-exit.js";
import { terminate } from "./child-process-exit.js";
import { pinnedCommand } from "./cpu-pinning.js";
import { freePort } from "./free-port.js";

export interface RedisServerOptions {
  port?: number;
  /** CPUs to run on (taskset list); any when undefined. */
  cpus?: string | undefined;
  /** Keep an append-only file in the data dir, so a restart keeps the data. */
  persistence?: boolean;
  /** Path to redis-server; defaults to REDIS_SERVER_BIN, then PATH. */
  binary?: string;
  startTimeoutMs?: number;
  /** Read at every start: replication settings that change as Sentinel moves the primary. */
  extraArgs?: () => string[];
  /**
   * Run as a Sentinel with these config lines. They go to sentinel.conf in the data dir on first start;
   * Sentinel rewrites that file as it learns, so a restart keeps what it knew.
   */
  sentinel?: readonly string[];
}

export class RedisServerError extends CrosspodError {
  override readonly code = "CROSSPOD_REDIS_SERVER";
  override readonly kind = "environment";
}

export function findRedisServer(): string | undefined {
  return findBinary("redis-server", process.env.REDIS_SERVER_BIN);
}

/**
 * Resolves once the server answers PING with PONG on a raw socket, or rejects after the timeout.
 * `isAlive` lets a caller that owns the process stop polling as soon as it has died.
 */
export async function waitForRedis(
  host: string,
  port: number,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive()) throw new RedisServerError(`redis-server on ${host}:${port} exited while starting`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port });
      let reply = "";
      socket.setTimeout(500, () => socket.destroy());
      socket.on("connect", () => socket.write("PING\r\n"));
      socket.on("data", (chunk) => {
        reply += chunk.toString();
        if (reply.includes("\r\n")) {
          socket.destroy();
          resolve(reply.startsWith("+PONG"));
        }
      });
      socket.on("error", () => resolve(false));
      socket.on("close", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) {
      throw new RedisServerError(
        `redis-server on ${host}:${port} did not answer PING within ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One redis-server process. `stop`/`kill` end it; `start` (re)starts it on the same port and data dir. */
export class RedisServer {
  readonly host = "127.0.0.1";
  private child: ChildProcess | undefined;
  private output = "";
  private unregisterTeardown: () => void = () => {};

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly binary: string,
    private readonly options: RedisServerOptions,
  ) {}

  static async launch(options: RedisServerOptions = {}): Promise<RedisServer> {
    const binary = options.binary ?? findRedisServer();
    if (!binary) {
      throw new RedisServerError(
        "redis-server was not found on PATH; install it (apt-get install redis-server) or set REDIS_URL",
      );
    }
    // A free port can be taken by someone else before redis-server binds it; then try another one.
    const attempts = options.port === undefined ? 3 : 1;
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const dataDir = await mkdtemp(join(tmpdir(), "crosspod-redis-"));
      const server = new RedisServer(port, dataDir, binary, options);
      server.unregisterTeardown = registerTeardown({
        close: () => server.dispose(),
        killNow: () => server.killNow(),
      });
      try {
        await server.start();
        return server;
      } catch (error) {
        await server.dispose();
        const portTaken = error instanceof RedisServerError && /address already in use/i.test(error.message);
        if (!portTaken || attempt >= attempts) throw error;
      }
    }
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const persistence = this.options.persistence ?? false;
    const args = [
      ...(this.options.sentinel ? [await this.sentinelConfig(this.options.sentinel), "--sentinel"] : []),
      "--port",
      String(this.port),
      "--bind",
      this.host,
      "--dir",
      this.dataDir,
      "--save",
      "",
      "--appendonly",
      persistence ? "yes" : "no",
      "--appendfsync",
      "always",
      "--daemonize",
      "no",
      "--protected-mode",
      "yes",
      "--maxclients",
      "10000",
      ...(this.options.extraArgs?.() ?? []),
    ];
    this.output = "";
    // Own process group: a terminal's Ctrl-C reaches only our process, which then shuts Redis down in order.
    const [command, commandArgs] = pinnedCommand(this.options.cpus, this.binary, args);
    const child = spawn(command, commandArgs, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    // Redis logs startup errors such as a taken port on stdout, so both streams feed the error message.
    const keepTail = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on("data", keepTail);
    child.stderr?.on("data", keepTail);
    this.child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) =>
        reject(new RedisServerError(`redis-server exited with code ${code} while starting: ${this.output}`)),
      ),
    );
    exited.catch(() => {});
    const timeoutMs = this.options.startTimeoutMs ?? 10_000;
    await Promise.race([waitForRedis(this.host, this.port, timeoutMs, () => this.running), exited]);
  }

  private async sentinelConfig(lines: readonly string[]): Promise<string> {
    const file = join(this.dataDir, "sentinel.conf");
    if (!existsSync(file)) await writeFile(file, `${lines.join("\n")}\n`);
    return file;
  }

  /** SIGKILL: Redis dies as a crashed process would. */
  async kill(): Promise<void> {
    if (this.child) await terminate(this.child, "SIGKILL");
  }

  /** SIGTERM: Redis shuts down cleanly (and writes its AOF when persistence is on). */
  async stop(): Promise<void> {
    if (this.child) await terminate(this.child, "SIGTERM");
  }

  async dispose(): Promise<void> {
    await this.kill();
    await rm(this.dataDir, { recursive: true, force: true });
    this.unregisterTeardown();
  }

  private killNow(): void {
    if (this.running) this.child?.kill("SIGKILL");
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

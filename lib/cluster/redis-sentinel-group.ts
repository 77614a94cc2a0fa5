// Highly available Redis on loopback: one primary, 1–2 replicas and three Sentinels (quorum 2), with
// short timeouts so a failover takes seconds, as `crosspod up|run --redis sentinel` and chaos tests need.
// Every node may be fronted by an address of the caller's choosing (a fault proxy): the node announces
// that address, so Sentinels, replicas and pods all reach it there and a partition cuts every path.
import type { Redis } from "ioredis";
import { freePort } from "./free-port.js";
import { withRedis } from "./redis-once.js";
import { RedisServer, RedisServerError } from "./redis-server.js";

export const sentinelMasterName = "crosspod";

export interface Address {
  host: string;
  port: number;
}

export interface RedisSentinelGroupOptions {
  /** Replicas besides the primary: 1 or 2. Default 1. */
  replicas?: number;
  /** Sentinel declares a silent primary down after this long. Default 1000 ms. */
  downAfterMs?: number;
  /** Sentinel's failover-timeout (also how long before it retries a failed failover). Default 3000 ms. */
  failoverTimeoutMs?: number;
  /**
   * The address others use for node `name` listening on `upstream`; default the node itself.
   * Called once per node, before it starts.
   */
  front?: (name: string, upstream: Address) => Promise<Address>;
  /** Until the Sentinels know each other and the replicas are in sync. Default 20 s. */
  readyTimeoutMs?: number;
}

export interface RedisNode {
  /** "redis-1" (the first primary), "redis-2", … */
  name: string;
  server: RedisServer;
  /** Where everyone reaches it (its front). */
  address: Address;
}

const host = "127.0.0.1";
const quorum = 2;
const sentinelCount = 3;

export class RedisSentinelGroup {
  private disposed: Promise<void> | undefined;

  private constructor(
    readonly nodes: readonly RedisNode[],
    readonly sentinels: readonly RedisServer[],
    readonly masterName: string,
  ) {}

  /** "host:port,host:port,host:port": a pod's REDIS_SENTINELS. */
  get sentinelList(): string {
    return this.sentinels.map((sentinel) => `${sentinel.host}:${sentinel.port}`).join(",");
  }

  static async launch(options: RedisSentinelGroupOptions = {}): Promise<RedisSentinelGroup> {
    const replicas = options.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 2) {
      throw new RedisServerError(`a Sentinel group has 1 or 2 replicas (got ${replicas})`);
    }
    const nodes: RedisNode[] = [];
    const sentinels: RedisServer[] = [];
    const group = new RedisSentinelGroup(nodes, sentinels, sentinelMasterName);
    try {
      const ports = await Promise.all(Array.from({ length: replicas + 1 }, () => freePort()));
      const addresses = await Promise.all(
        ports.map((port, index) => options.front?.(`redis-${index + 1}`, { host, port }) ?? { host, port }),
      );
      const first = addresses[0] as Address;
      for (const [index, port] of ports.entries()) {
        const address = addresses[index] as Address;
        const name = `redis-${index + 1}`;
        const server = await RedisServer.launch({
          port,
          // A node restarted after chaos rejoins as a replica of whoever is primary by then.
          extraArgs: () => [
            "--replica-announce-ip",
            address.host,
            "--replica-announce-port",
            String(address.port),
            // Full syncs start at once instead of waiting 5 s for more replicas to join.
            "--repl-diskless-sync-delay",
            "0",
            ...group.replicaOfArgs(name, index === 0 ? undefined : first),
          ],
        });
        nodes.push({ name, server, address });
      }
      for (let index = 0; index < sentinelCount; index++) {
        sentinels.push(await launchSentinel(first, options));
      }
      await group.waitUntilFormed(replicas, options.readyTimeoutMs ?? 20_000);
    } catch (error) {
      await group.dispose();
      throw error;
    }
    return group;
  }

  /** The node the Sentinels name as primary now (the first Sentinel that answers). */
  async primary(): Promise<RedisNode> {
    const address = await this.askSentinels((sentinel) =>
      sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", this.masterName),
    );
    const [hostText, portText] = address as [string, string];
    const node = this.nodeAt({ host: hostText, port: Number(portText) });
    if (!node)
      throw new RedisServerError(`the Sentinels name ${hostText}:${portText}, not a node of this group`);
    return node;
  }

  /** SENTINEL FAILOVER: a graceful failover, the primary demoted after a replica caught up. */
  async failover(): Promise<void> {
    await this.askSentinels((sentinel) => sentinel.call("SENTINEL", "FAILOVER", this.masterName));
  }

  nodeAt(address: Address): RedisNode | undefined {
    return this.nodes.find(
      (node) => node.address.port === address.port && node.address.host === address.host,
    );
  }

  /** Starts every node that is not running, as a replica of the current primary. */
  async restartStopped(): Promise<string[]> {
    const restarted: string[] = [];
    await this.primary();
    for (const node of this.nodes) {
      if (node.server.running) continue;
      await node.server.start();
      restarted.push(node.name);
    }
    return restarted;
  }

  /** Stops the Sentinels first (so they do not fail over a group being torn down), then the nodes. */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      await Promise.all(this.sentinels.map((sentinel) => sentinel.dispose()));
      await Promise.all(this.nodes.map((node) => node.server.dispose()));
    })();
    return this.disposed;
  }

  /** `--replicaof` for a (re)starting node: the primary Sentinel knows of, or `initial` on first start. */
  private replicaOfArgs(name: string, initial: Address | undefined): string[] {
    const current = this.knownPrimary;
    const of = current === undefined ? initial : current.name === name ? undefined : current.address;
    return of ? ["--replicaof", of.host, String(of.port)] : [];
  }

  /** Set by waitUntilFormed and each call of primary(); read when a node restarts. */
  private knownPrimary: RedisNode | undefined;

  private async askSentinels(command: (sentinel: Redis) => Promise<unknown>): Promise<unknown> {
    let lastError: unknown;
    for (const sentinel of this.sentinels) {
      if (!sentinel.running) continue;
      try {
        const reply = await withRedis(sentinel, command);
        if (reply !== null) {
          if (Array.isArray(reply) && reply.length === 2) {
            const node = this.nodeAt({ host: String(reply[0]), port: Number(reply[1]) });
            if (node) this.knownPrimary = node;
          }
          return reply;
        }
      } catch (error) {
        lastError = error;
      }
    }
    throw new RedisServerError(
      `no Sentinel answered for "${this.masterName}": ${lastError instanceof Error ? lastError.message : "none running"}`,
    );
  }

  private async waitUntilFormed(replicas: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let state = "no answer";
    for (;;) {
      state = await this.formation(replicas).catch((error: Error) => error.message);
      if (state === "") return;
      if (Date.now() > deadline) {
        throw new RedisServerError(`the Redis Sentinel group did not form within ${timeoutMs} ms: ${state}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** "" when every Sentinel knows the others and every replica is in sync; else what is missing. */
  private async formation(replicas: number): Promise<string> {
    for (const sentinel of this.sentinels) {
      const missing = await withRedis(sentinel, async (client) => {
        const fields = toRecord((await client.call("SENTINEL", "MASTER", this.masterName)) as string[]);
        if (Number(fields["num-other-sentinels"]) < sentinelCount - 1) {
          return `Sentinel ${sentinel.port} knows ${fields["num-other-sentinels"]} other Sentinels`;
        }
        const listed = (await client.call("SENTINEL", "REPLICAS", this.masterName)) as string[][];
        const synced = listed.map(toRecord).filter((replica) => replica["master-link-status"] === "ok");
        return synced.length < replicas
          ? `Sentinel ${sentinel.port} sees ${synced.length} replicas in sync`
          : "";
      });
      if (missing !== "") return missing;
    }
    await this.primary();
    return "";
  }
}

function toRecord(flat: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2)
    record[flat[index] as string] = flat[index + 1] as string;
  return record;
}

function launchSentinel(primary: Address, options: RedisSentinelGroupOptions): Promise<RedisServer> {
  return RedisServer.launch({
    sentinel: [
      `sentinel monitor ${sentinelMasterName} ${primary.host} ${primary.port} ${quorum}`,
      `sentinel down-after-milliseconds ${sentinelMasterName} ${options.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${sentinelMasterName} ${options.failoverTimeoutMs ?? 3000}`,
      `sentinel parallel-syncs ${sentinelMasterName} 1`,
    ],
  });
}

// ThreatBus on Redis (ioredis): one connection for commands (publish, history, reads), one for the
// subscription. The contract and why it looks like this are in redis-bus.ts.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { parseBusFrame } from "./bus-frame.js";
import { BusUnavailableError } from "./bus-unavailable-error.js";
import { epochErrorPrefix, positionScript, publishScript, rotateEpochScript } from "./publish-script.js";
import type {
  BusEvents,
  BusFrame,
  BusPosition,
  PublishRequest,
  PublishResult,
  ThreatBus,
} from "./redis-bus.js";
import { connectedAddress, createRedisConnection, type RedisTarget } from "./redis-connection.js";
import { ReplicaAck } from "./replica-ack.js";

export interface RedisThreatBusOptions {
  redis: RedisTarget;
  keyPrefix: string;
  podName: string;
  streamMaxLen: number;
  threatTtlSeconds: number;
  commandTimeoutMs: number;
  /** replica: publish() resolves only once a replica acknowledged the write (WAIT 1), else rejects. */
  durability?: "none" | "replica";
  durabilityTimeoutMs?: number;
  logger: Logger;
}

/** Replies that mean "Redis cannot take writes right now", as opposed to a bug in the request. */
const transientReplies = /^(OOM|LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN)\b/;

const syncRetryMs = 500;

interface ScriptCommands {
  crosspodPublish(...args: (string | number)[]): Promise<[number, string]>;
  crosspodPosition(...args: string[]): Promise<[string, number, number]>;
  crosspodRotateEpoch(...args: string[]): Promise<[string, number, number]>;
}

export class RedisThreatBus implements ThreatBus {
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly keys: {
    seq: string;
    stream: string;
    epoch: string;
    epochBase: string;
    threat: string;
    channel: string;
  };
  private readonly logger: Logger;
  private readonly replicaAck: ReplicaAck | undefined;
  private events: BusEvents | undefined;
  private knownEpoch = "";
  /** The highest frame this pod saw in knownEpoch (live or its own publish): what a regression loses. */
  private lastSeen: { seq: number; publishedAt: number } | undefined;
  private subscribed = false;
  private synced = false;
  private syncing = false;
  private syncRetry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: RedisThreatBusOptions) {
    const p = options.keyPrefix;
    this.keys = {
      seq: `${p}seq`,
      stream: `${p}stream`,
      epoch: `${p}epoch`,
      epochBase: `${p}epoch:base`,
      threat: `${p}threat:`,
      channel: `${p}threats`,
    };
    this.logger = options.logger.child({ component: "redis-bus" });
    this.commands = createRedisConnection(options.redis, {
      connectionName: `crosspod:${options.podName}:cmd`,
      commandTimeout: options.commandTimeoutMs,
      enableAutoPipelining: true,
      scripts: {
        crosspodPublish: { lua: publishScript, numberOfKeys: 4 },
        crosspodPosition: { lua: positionScript, numberOfKeys: 3 },
        crosspodRotateEpoch: { lua: rotateEpochScript, numberOfKeys: 3 },
      },
    });
    this.replicaAck =
      options.durability === "replica"
        ? new ReplicaAck(
            (replicas, timeoutMs) => this.commands.wait(replicas, timeoutMs),
            options.durabilityTimeoutMs ?? 500,
          )
        : undefined;
    this.subscriber = createRedisConnection(options.redis, {
      connectionName: `crosspod:${options.podName}:sub`,
    });
  }

  get ready(): boolean {
    return this.synced && this.subscribed && this.commands.status === "ready";
  }

  get primary(): string | undefined {
    return connectedAddress(this.commands);
  }

  start(events: BusEvents): void {
    this.events = events;
    this.commands.on("ready", () => void this.sync());
    this.subscriber.on("ready", () => void this.subscribe());
    this.subscriber.on("message", (_channel: string, text: string) => this.receive(text));
    for (const [name, connection] of [
      ["commands", this.commands],
      ["subscriber", this.subscriber],
    ] as const) {
      connection.on("close", () => this.lost(name));
      // ioredis retries on its own; each failed attempt emits an error, so they are debug-level noise.
      connection.on("error", (error: Error) =>
        this.logger.debug({ err: error, connection: name }, "redis error"),
      );
      connection.connect().catch(() => {});
    }
  }

  async publish(request: PublishRequest): Promise<PublishResult> {
    // Until the position is re-read after a reconnect, a regressed seq has not been ruled out.
    if (!this.synced) throw new BusUnavailableError("Redis is reconnecting; the position is not re-read yet");
    try {
      return await this.durable(await this.runPublish(request));
    } catch (error) {
      if (!isEpochError(error)) throw this.classify(error, "publish");
    }
    // The epoch changed under us (Redis lost its data, or was flushed): learn the new one, let the
    // pod tell its clients, and publish into the new epoch.
    const position = await this.position();
    try {
      return await this.durable(await this.runPublish(request));
    } catch (error) {
      throw isEpochError(error)
        ? new BusUnavailableError(`the Redis epoch keeps changing (last read ${position.epoch})`)
        : this.classify(error, "publish");
    }
  }

  async history(fromSeq: number, limit: number): Promise<BusFrame[]> {
    let entries: [string, string[]][];
    try {
      entries = (await this.commands.xrange(this.keys.stream, `${fromSeq}-0`, "+", "COUNT", limit)) as [
        string,
        string[],
      ][];
    } catch (error) {
      throw this.classify(error, "read history");
    }
    const frames: BusFrame[] = [];
    for (const [, fields] of entries) {
      const index = fields.indexOf("frame");
      const text = index >= 0 ? fields[index + 1] : undefined;
      if (text !== undefined) frames.push(parseBusFrame(text));
    }
    return frames;
  }

  async find(id: string): Promise<string | undefined> {
    try {
      return (await this.commands.get(this.keys.threat + id)) ?? undefined;
    } catch (error) {
      throw this.classify(error, "read threat");
    }
  }

  async position(): Promise<BusPosition> {
    let reply: [string, number, number];
    try {
      reply = await this.scripts.crosspodPosition(
        this.keys.epoch,
        this.keys.seq,
        this.keys.epochBase,
        randomUUID(),
      );
    } catch (error) {
      throw this.classify(error, "read position");
    }
    return this.learn(reply);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.syncRetry);
    await Promise.all([quit(this.commands), quit(this.subscriber)]);
  }

  /** Takes a {epoch, head, base} reply as the pod's position; a new epoch is announced once. */
  private learn([epoch, head, base]: [string, number, number]): BusPosition {
    if (this.knownEpoch !== "" && epoch !== this.knownEpoch) {
      this.logger.warn({ previous: this.knownEpoch, epoch }, "redis epoch changed: positions are void");
      this.knownEpoch = epoch;
      this.lastSeen = undefined;
      this.events?.onEpochChanged(epoch);
    }
    this.knownEpoch = epoch;
    return { epoch, head: Number(head), base: Number(base) };
  }

  /**
   * After a reconnect: is the last frame this pod saw still in history under its seq? A primary that
   * died before its replica had the newest writes comes back (promoted replica) with an older head;
   * then the epoch is rotated so no seq this pod's clients hold is reused for another threat.
   */
  private async checkRegression(position: BusPosition): Promise<BusPosition> {
    const seen = this.lastSeen;
    if (seen === undefined || position.epoch !== this.knownEpoch) return position;
    const [found] = await this.history(seen.seq, 1);
    if (found?.seq === seen.seq && found.publishedAt === seen.publishedAt) return position;
    this.logger.warn(
      { epoch: position.epoch, lastSeenSeq: seen.seq, head: position.head, primary: this.primary },
      "seq regression: the primary lacks frames this pod saw (failover to a lagging replica); rotating the epoch",
    );
    let reply: [string, number, number];
    try {
      reply = await this.scripts.crosspodRotateEpoch(
        this.keys.epoch,
        this.keys.seq,
        this.keys.epochBase,
        position.epoch,
        randomUUID(),
      );
    } catch (error) {
      throw this.classify(error, "rotate the epoch");
    }
    return this.learn(reply);
  }

  private saw(seq: number, publishedAt: number): void {
    if (this.lastSeen === undefined || seq > this.lastSeen.seq) this.lastSeen = { seq, publishedAt };
  }

  /** DURABILITY=replica: the 202 waits until a replica has the write; none in time is a 503. */
  private async durable(result: PublishResult): Promise<PublishResult> {
    if (this.replicaAck === undefined) return result;
    let replicas: number;
    try {
      replicas = await this.replicaAck.confirm();
    } catch (error) {
      throw this.classify(error, "confirm the publish on a replica");
    }
    if (replicas < 1) {
      throw new BusUnavailableError(
        `no replica confirmed seq ${result.seq} within ${this.options.durabilityTimeoutMs ?? 500} ms (DURABILITY=replica, DURABILITY_TIMEOUT_MS)`,
      );
    }
    return result;
  }

  private get scripts(): ScriptCommands {
    return this.commands as unknown as ScriptCommands;
  }

  private async runPublish(request: PublishRequest): Promise<PublishResult> {
    const [seq, publishedAt] = await this.scripts.crosspodPublish(
      this.keys.seq,
      this.keys.stream,
      this.keys.epoch,
      this.keys.threat + request.id,
      this.knownEpoch,
      this.options.streamMaxLen,
      this.options.threatTtlSeconds,
      this.keys.channel,
      JSON.stringify(request.id),
      JSON.stringify(request.podOrigin),
      JSON.stringify(request.threat),
      request.traceparent === undefined ? "" : JSON.stringify(request.traceparent),
    );
    this.saw(Number(seq), Number(publishedAt));
    return { seq: Number(seq), publishedAt: Number(publishedAt), epoch: this.knownEpoch };
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.keys.channel);
    } catch (error) {
      // The connection dropped again before the reply; its next "ready" subscribes again.
      this.logger.warn({ err: error }, "subscribe failed");
      return;
    }
    this.subscribed = true;
    await this.sync();
  }

  /** Re-reads the position once both connections are up, then reports the bus as subscribed. */
  private async sync(): Promise<void> {
    if (this.closed || this.syncing || !this.subscribed || this.commands.status !== "ready") return;
    this.syncing = true;
    clearTimeout(this.syncRetry);
    try {
      const position = await this.checkRegression(await this.position());
      if (!this.subscribed || this.commands.status !== "ready") return;
      this.synced = true;
      this.logger.info(position, "redis subscribed");
      this.events?.onSubscribed(position);
    } catch (error) {
      this.logger.warn({ err: error }, "reading the position after (re)connecting failed; retrying");
      this.syncRetry = setTimeout(() => void this.sync(), syncRetryMs);
    } finally {
      this.syncing = false;
    }
  }

  private lost(connection: "commands" | "subscriber"): void {
    if (connection === "subscriber") this.subscribed = false;
    if (!this.synced || this.closed) return;
    this.synced = false;
    this.logger.warn({ connection }, "redis connection lost; reconnecting");
    this.events?.onDown(`${connection} connection closed`);
  }

  private receive(text: string): void {
    let frame: BusFrame;
    try {
      frame = parseBusFrame(text);
    } catch (error) {
      this.logger.error(
        { err: error, channel: this.keys.channel },
        "dropped a foreign message on the channel",
      );
      return;
    }
    this.saw(frame.seq, frame.publishedAt);
    this.events?.onFrame(frame);
  }

  /** Connection-level failures become BusUnavailableError (HTTP 503); reply errors stay bugs. */
  private classify(error: unknown, action: string): Error {
    if (error instanceof BusUnavailableError) return error;
    const isReply = error instanceof Error && error.name === "ReplyError";
    if (isReply && !transientReplies.test(error.message)) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new BusUnavailableError(`Redis cannot ${action} now: ${reason}`, { cause: error });
  }
}

function isEpochError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith(epochErrorPrefix);
}

async function quit(connection: Redis): Promise<void> {
  if (connection.status === "ready") {
    try {
      await connection.quit();
      return;
    } catch {
      // Fall through to a hard disconnect: the connection is going away either way.
    }
  }
  connection.disconnect();
}

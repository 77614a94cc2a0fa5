// ThreatBus on Redis (ioredis): one connection for commands (publish, history, reads), one for the
// subscription. The contract and why it looks like this are in redis-bus.ts.
import { randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";
import { parseBusFrame } from "./bus-frame.js";
import { BusUnavailableError } from "./bus-unavailable-error.js";
import { epochErrorPrefix, positionScript, publishScript } from "./publish-script.js";
import type {
  BusEvents,
  BusFrame,
  BusPosition,
  PublishRequest,
  PublishResult,
  ThreatBus,
} from "./redis-bus.js";

export interface RedisThreatBusOptions {
  redisUrl: string;
  keyPrefix: string;
  podName: string;
  streamMaxLen: number;
  threatTtlSeconds: number;
  commandTimeoutMs: number;
  logger: Logger;
}

const connectionDefaults = {
  // Reconnect quickly and forever: a pod is useless without Redis, and chaos runs measure recovery time.
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000) + Math.floor(Math.random() * 100),
  // Fail fast instead of queueing: a trigger while Redis is down is a 503 now, not a publish minutes
  // later, and a command in flight when the connection drops is failed, never silently re-sent.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  autoResubscribe: false,
  lazyConnect: true,
} satisfies RedisOptions;

/** Replies that mean "Redis cannot take writes right now", as opposed to a bug in the request. */
const transientReplies = /^(OOM|LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN)\b/;

const syncRetryMs = 500;

interface ScriptCommands {
  crosspodPublish(...args: (string | number)[]): Promise<[number, string]>;
  crosspodPosition(...args: string[]): Promise<[string, number]>;
}

export class RedisThreatBus implements ThreatBus {
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly keys: { seq: string; stream: string; epoch: string; threat: string; channel: string };
  private readonly logger: Logger;
  private events: BusEvents | undefined;
  private knownEpoch = "";
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
      threat: `${p}threat:`,
      channel: `${p}threats`,
    };
    this.logger = options.logger.child({ component: "redis-bus" });
    this.commands = new Redis(options.redisUrl, {
      ...connectionDefaults,
      connectionName: `crosspod:${options.podName}:cmd`,
      commandTimeout: options.commandTimeoutMs,
      enableAutoPipelining: true,
      scripts: {
        crosspodPublish: { lua: publishScript, numberOfKeys: 4 },
        crosspodPosition: { lua: positionScript, numberOfKeys: 2 },
      },
    });
    this.subscriber = new Redis(options.redisUrl, {
      ...connectionDefaults,
      connectionName: `crosspod:${options.podName}:sub`,
    });
  }

  get ready(): boolean {
    return this.synced && this.subscribed && this.commands.status === "ready";
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
    try {
      return await this.runPublish(request);
    } catch (error) {
      if (!isEpochError(error)) throw this.classify(error, "publish");
    }
    // The epoch changed under us (Redis lost its data, or was flushed): learn the new one, let the
    // pod tell its clients, and publish into the new epoch.
    const position = await this.position();
    try {
      return await this.runPublish(request);
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
    let reply: [string, number];
    try {
      reply = await this.scripts.crosspodPosition(this.keys.epoch, this.keys.seq, randomUUID());
    } catch (error) {
      throw this.classify(error, "read position");
    }
    const [epoch, head] = reply;
    if (this.knownEpoch !== "" && epoch !== this.knownEpoch) {
      this.logger.warn({ previous: this.knownEpoch, epoch }, "redis epoch changed: history was lost");
      this.knownEpoch = epoch;
      this.events?.onEpochChanged(epoch);
    }
    this.knownEpoch = epoch;
    return { epoch, head: Number(head) };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.syncRetry);
    await Promise.all([quit(this.commands), quit(this.subscriber)]);
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
      const position = await this.position();
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

// k6's modules as the scenarios use them, emulated over real I/O so a built scenario bundle can run in
// Node without k6: k6/websockets over `ws`, k6/x/redis over ioredis against a real redis-server, k6/http
// over synchronous fetch, k6/timers over Node timers, k6/metrics into a MetricSink. Only the API surface
// the scenarios call is provided; anything else is absent, as a missing module would be in k6.
import { Redis } from "ioredis";
import WebSocket from "ws";
import type { SegmentOptions } from "./k6-emulated-segment.js";
import { MetricSink } from "./k6-metric-sink.js";
import { SyncHttp } from "./k6-sync-http.js";

/** What k6/execution reports to one emulated VU; the emulated executor updates it per iteration. */
export interface ExecutionState {
  scenario: { name: string; iterationInTest: number; startTime: number };
  vu: { idInTest: number; idInInstance: number };
  /** exec.test.options: only the execution segment fields the scenarios read. */
  test: { options: SegmentOptions };
}

/** Everything the emulated modules of all VUs share, and closes at the end. */
export interface EmulatorResources {
  http: SyncHttp;
  sink: MetricSink;
  redisClients: Set<Redis>;
  sockets: Set<WebSocket>;
  /** Copies a value into the VU's realm, so the bundle's code never sees another realm's objects. */
  toRealm: (value: unknown) => unknown;
}

/** Fresh resources for one emulator thread: nothing open yet, values passed through as they are. */
export function newEmulatorResources(): EmulatorResources {
  return {
    http: new SyncHttp(),
    sink: new MetricSink(),
    redisClients: new Set(),
    sockets: new Set(),
    toRealm: (value) => value,
  };
}

function redisModule(resources: EmulatorResources) {
  // xk6-redis connects lazily on the first command and rejects GET of a missing key with "redis: nil".
  class Client {
    private connection: Redis | undefined;

    constructor(private readonly url: string) {}

    private redis(): Redis {
      if (this.connection === undefined) {
        this.connection = new Redis(this.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
        resources.redisClients.add(this.connection);
      }
      return this.connection;
    }

    private async answer<T>(work: Promise<T>): Promise<unknown> {
      return resources.toRealm(await work);
    }

    async get(key: string) {
      const value = await this.redis().get(key);
      if (value === null) throw new Error("redis: nil");
      return value;
    }
    incr(key: string) {
      return this.redis().incr(key);
    }
    expire(key: string, seconds: number) {
      return this.answer(
        this.redis()
          .expire(key, seconds)
          .then((done) => done === 1),
      );
    }
    rpush(key: string, ...values: Array<string | number>) {
      return this.redis().rpush(key, ...values);
    }
    lrange(key: string, start: number, stop: number) {
      return this.answer(this.redis().lrange(key, start, stop));
    }
    hincrby(key: string, field: string, increment: number) {
      return this.redis().hincrby(key, field, increment);
    }
    hgetall(key: string) {
      return this.answer(this.redis().hgetall(key));
    }
    sendCommand(command: string, ...args: Array<string | number>) {
      return this.answer(this.redis().call(command, ...args));
    }
  }
  return { __esModule: true, default: { Client } };
}

function websocketsModule(resources: EmulatorResources) {
  class EmulatedWebSocket {
    onopen: (() => void) | undefined;
    onmessage: ((event: { data: string; type: string; timestamp: number }) => void) | undefined;
    onerror: ((event: { type: string; error: string; timestamp: number }) => void) | undefined;
    onclose: (() => void) | undefined;
    private readonly socket: WebSocket;

    constructor(url: string) {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      this.socket = socket;
      resources.sockets.add(socket);
      socket.on("open", () => this.onopen?.());
      socket.on("message", (data) =>
        this.onmessage?.({ data: String(data), type: "message", timestamp: Date.now() }),
      );
      socket.on("error", (error) =>
        this.onerror?.({ type: "error", error: error.message, timestamp: Date.now() }),
      );
      socket.on("close", () => {
        resources.sockets.delete(socket);
        this.onclose?.();
      });
    }

    get readyState(): number {
      return this.socket.readyState;
    }

    send(data: string): void {
      this.socket.send(data);
    }

    close(code?: number, reason?: string): void {
      this.socket.close(code, reason);
    }
  }
  return { WebSocket: EmulatedWebSocket };
}

function metricsModule(resources: EmulatorResources) {
  const metric = (type: "counter" | "gauge" | "rate" | "trend") =>
    class {
      constructor(
        readonly name: string,
        private readonly isTime = false,
      ) {}

      add(value: number | boolean, tags?: Record<string, string>): void {
        resources.sink.add(this.name, type, this.isTime, Number(value), tags);
      }
    };
  return { Counter: metric("counter"), Gauge: metric("gauge"), Rate: metric("rate"), Trend: metric("trend") };
}

function httpModule(resources: EmulatorResources) {
  return {
    __esModule: true,
    default: {
      post(url: string, body: string, params: { headers?: Record<string, string> } = {}) {
        const response = resources.http.request("POST", url, body, params.headers ?? {});
        return { status: response.status, body: response.body, error_code: response.errorCode };
      },
      request(
        method: string,
        url: string,
        body: string | null,
        params: { headers?: Record<string, string> } = {},
      ) {
        const response = resources.http.request(method, url, body ?? undefined, params.headers ?? {});
        return { status: response.status, body: response.body, error_code: response.errorCode };
      },
      expectedStatuses: (...statuses: number[]) => ({ statuses }),
    },
  };
}

function k6Module(resources: EmulatorResources) {
  return {
    check(value: unknown, checks: Record<string, (value: unknown) => boolean>): boolean {
      let ok = true;
      for (const check of Object.values(checks)) {
        const passed = check(value);
        resources.sink.add("checks", "rate", false, passed ? 1 : 0);
        ok &&= passed;
      }
      return ok;
    },
    fail(message?: string): never {
      throw new Error(message ?? "fail()");
    },
  };
}

/** The module table one emulated VU's `require` resolves against. */
export function emulatedModules(
  resources: EmulatorResources,
  execution: ExecutionState,
): Record<string, unknown> {
  return {
    k6: k6Module(resources),
    "k6/http": httpModule(resources),
    "k6/metrics": metricsModule(resources),
    "k6/execution": { __esModule: true, default: execution },
    "k6/timers": { setTimeout, clearTimeout, setInterval, clearInterval },
    "k6/websockets": websocketsModule(resources),
    "k6/x/redis": redisModule(resources),
  };
}

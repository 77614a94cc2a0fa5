// Fuzzing every lib/core parser a user or a client feeds: target files, profiles, durations, chaos schedules
// and actions, thresholds, and WebSocket frames through each adapter. Whatever the input, a parser returns
// or throws its documented error class, never a TypeError or RangeError. Inputs are random values and
// mutations of valid documents (one leaf replaced), so the schemas' deeper branches are reached too.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AdapterError } from "../../lib/core/adapters/adapter-error.js";
import { readCrosspodFrame } from "../../lib/core/adapters/crosspod-adapter.js";
import { decodeSocketIoFrame } from "../../lib/core/adapters/socketio-codec.js";
import { ChaosScheduleError, parseChaosAction, parseChaosSchedule } from "../../lib/core/chaos-schedule.js";
import { parseDuration } from "../../lib/core/duration.js";
import { ProfileError } from "../../lib/core/profile-error.js";
import { parseProfile, profileOverridesFromEnv, profiles, resolveProfile } from "../../lib/core/profiles.js";
import { loadTarget } from "../../lib/core/target-file.js";
import { ThresholdSyntaxError } from "../../lib/core/threshold-syntax-error.js";
import { parseThreshold, validateThresholds } from "../../lib/core/thresholds.js";

const runs = { numRuns: 300 };

/** Runs `work`; an error is allowed only if it is an instance of `documented`. */
function onlyThrows(documented: abstract new (...args: never[]) => Error, work: () => unknown): void {
  try {
    work();
  } catch (error) {
    if (!(error instanceof documented)) {
      throw new Error(
        `threw ${(error as Error)?.name}: ${(error as Error)?.message} instead of ${documented.name}`,
      );
    }
  }
}

/** Awkward keys and values: prototype names, huge and non-finite numbers, odd strings. */
const awkwardKey = fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "", " ", "a.b");
const awkwardValue = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -1,
    0,
    1e308,
    -0,
    "",
    "{{probe}}",
    "__proto__",
    [],
    {},
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 40 }),
  fc.double(),
);

type Json = unknown;

function leafPaths(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [path];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [path, ...entries.flatMap(([key, child]) => leafPaths(child, [...path, key]))];
}

function replaced(value: Json, path: (string | number)[], leaf: unknown): Json {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    const copy: unknown[] = [...value];
    copy[Number(head)] = replaced(copy[Number(head)], rest, leaf);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  copy[head] = replaced(copy[head], rest, leaf);
  return copy;
}

/** `base` with one node replaced by an awkward value, or one awkward key added to an object node. */
function mutations(base: Json): fc.Arbitrary<Json> {
  const paths = leafPaths(base);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...paths), awkwardValue).map(([path, leaf]) => replaced(base, path, leaf)),
    fc.tuple(awkwardKey, awkwardValue).map(([key, leaf]) => {
      const copy = { ...(base as Record<string, unknown>) };
      Object.defineProperty(copy, key, { value: leaf, enumerable: true, writable: true, configurable: true });
      return copy;
    }),
  );
}

const genericJson = {
  adapter: "generic-json",
  pods: [{ name: "a", url: "http://127.0.0.1:1", ws: "ws://127.0.0.1:1/ws" }],
  trigger: {
    path: "/t",
    headers: { "x-k": "v" },
    body: { d: "{{probe}}", n: "{{probe.n}}" },
    response: { seq: "seq", publishedAt: { path: "at", unit: "iso" } },
  },
  frames: {
    id: "data.id",
    seq: "data.seq",
    publishedAt: { path: "data.at", unit: "ms" },
    probe: "data.d",
    origin: "data.pod",
    delivery: [{ path: "type", equals: "threat" }],
    ignore: [{ path: "type", equals: "ping" }],
    hello: { path: "type", equals: "hello" },
  },
  subscribe: { op: "sub" },
};
const socketIo = {
  adapter: "socketio",
  pods: [{ name: "io-a", url: "http://127.0.0.1:3000" }],
  trigger: { path: "/api/t", body: { probe: "{{probe}}" } },
  socketio: { event: "threat", payload: { probe: "threat.probe", publishedAt: { path: "published_at" } } },
};
const crosspodTarget = { adapter: "crosspod", pods: [{ url: "http://127.0.0.1:8080" }], authEnv: "TOKEN" };

describe("target files", () => {
  it("throw only AdapterError, for any value or mutation of a valid file", () => {
    const value = fc.oneof(
      fc.anything(),
      mutations(genericJson),
      mutations(socketIo),
      mutations(crosspodTarget),
    );
    fc.assert(
      fc.property(value, (file) => onlyThrows(AdapterError, () => loadTarget(file, { TOKEN: "t" }))),
      runs,
    );
  });
});

describe("WebSocket frames", () => {
  const generic = loadTarget(genericJson, {}).adapter;
  const io = loadTarget(socketIo, {}).adapter;
  const frame = {
    type: "threat",
    seq: 3,
    id: "x",
    pod_origin: "pod-a",
    published_at: 1.5,
    data: { id: "x", seq: 3, at: 1, d: { run: "r", publisher: "p", n: 1, t: 1 }, pod: "a" },
    threat: { probe: { run: "r", publisher: "p", n: 1, t: 1 } },
  };
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    mutations(frame).map((value) => JSON.stringify(value) ?? ""),
    fc
      .tuple(fc.constantFrom("0", "2", "3", "40", "41", "42", "44", "4"), fc.string({ maxLength: 60 }))
      .map(([prefix, rest]) => prefix + rest),
    mutations(frame).map((value) => `42${JSON.stringify(["threat", value])}`),
  );

  it("never make an adapter's readFrame throw", () => {
    fc.assert(
      fc.property(text, (input) => {
        readCrosspodFrame(input);
        generic.readFrame(input);
        io.readFrame(input);
        decodeSocketIoFrame(input, "/");
      }),
      runs,
    );
  });

  it("never make a trigger reply reader throw", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.anything(), (status, body) => {
        generic.readTriggerReply(status, body);
        io.readTriggerReply(status, body);
      }),
      runs,
    );
  });
});

describe("profiles", () => {
  it("throw only ProfileError for any profile value or mutation of a built-in one", () => {
    const value = fc.oneof(fc.anything(), mutations(profiles["cross-pod-load"]), mutations(profiles.soak));
    fc.assert(
      fc.property(value, (profile) => {
        onlyThrows(ProfileError, () => parseProfile(profile));
        if (typeof profile === "object" && profile !== null) {
          onlyThrows(ProfileError, () => resolveProfile("spike", profile as never));
        }
      }),
      runs,
    );
  });

  it("throw only ProfileError for any CROSSPOD_* environment or duration text", () => {
    const variable = fc.constantFrom(
      "CROSSPOD_CONNECTIONS",
      "CROSSPOD_RATE",
      "CROSSPOD_DURATION",
      "CROSSPOD_RAMP",
      "CROSSPOD_DRAIN",
      "CROSSPOD_TRIGGER_POD",
      "CROSSPOD_CONNECTIONS_PER_VU",
      "CROSSPOD_THRESHOLDS",
    );
    const text = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom("1e9", "0x10", "Infinity", "NaN", "-1", "9".repeat(400), "1m30s", "500ms", "1.5/s"),
      fc.jsonValue().map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(fc.dictionary(variable, text), text, (env, duration) => {
        onlyThrows(ProfileError, () => profileOverridesFromEnv(env));
        onlyThrows(ProfileError, () => parseDuration(duration));
      }),
      runs,
    );
  });
});

describe("chaos schedules", () => {
  const token = fc.constantFrom(
    "kill-pod",
    "stop-pod",
    "restart-pod",
    "kill-redis",
    "latency",
    "reset",
    "heal",
    ":",
    "pod-a",
    "redis@pod-a",
    "pod-b@clients",
    "=",
    "200ms",
    "±",
    "@",
    "30s",
    "..",
    "1e9",
    ",",
    "-1",
    "__proto__",
  );
  const scheduleText = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.array(token, { maxLength: 12 }).map((parts) => parts.join("")),
  );

  it("throw only ChaosScheduleError for any --chaos text", () => {
    fc.assert(
      fc.property(scheduleText, (text) => onlyThrows(ChaosScheduleError, () => parseChaosSchedule(text))),
      runs,
    );
  });

  it("throw only ChaosScheduleError for any control API body", () => {
    const body = fc.oneof(
      fc.anything(),
      mutations({ action: "latency", target: "redis@pod-a", latencyMs: 200, jitterMs: 20 }),
      mutations({ action: "kill-pod", target: "pod-b" }),
    );
    fc.assert(
      fc.property(body, (value) => onlyThrows(ChaosScheduleError, () => parseChaosAction(value))),
      runs,
    );
  });
});

describe("thresholds", () => {
  const expression = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc
      .tuple(
        fc.constantFrom("p(99)", "p(101)", "p()", "count", "rate", "avg", "max", "value", "med"),
        fc.constantFrom("<", "<=", "==", "===", "!=", ">", "=<", ""),
        fc.constantFrom("0", "250", "-1", "1e400", "0.5", "x", ""),
      )
      .map((parts) => parts.join("")),
  );
  const metric = fc.oneof(
    fc.constantFrom(
      "crosspod_fanout_latency",
      "crosspod_lost",
      "crosspod_lost{phase:steady}",
      "crosspod_e2e_latency{pod:pod-a}",
      "constructor",
      "__proto__",
      "toString",
      "hasOwnProperty",
    ),
    fc.string({ maxLength: 30 }),
  );

  it("throw only ThresholdSyntaxError for any metric and expression", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(metric, fc.array(expression, { maxLength: 3 })), { maxLength: 4 }),
        (spec) => {
          const record: Record<string, string[]> = {};
          for (const [name, expressions] of spec) {
            Object.defineProperty(record, name, { value: expressions, enumerable: true, configurable: true });
          }
          onlyThrows(ThresholdSyntaxError, () => validateThresholds(record));
          for (const [, expressions] of spec) {
            for (const text of expressions) onlyThrows(ThresholdSyntaxError, () => parseThreshold(text));
          }
        },
      ),
      runs,
    );
  });

  it("accepts the documented examples and refuses prototype names as unknown metrics", () => {
    expect(() =>
      validateThresholds({ crosspod_fanout_latency: ["p(99)<250"], crosspod_lost: ["count==0"] }),
    ).not.toThrow();
    expect(() => validateThresholds({ constructor: ["count==0"] })).toThrow(/unknown metric "constructor"/);
  });
});

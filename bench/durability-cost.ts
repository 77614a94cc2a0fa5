// What DURABILITY=replica costs: the same Sentinel cluster (a primary, two replicas, two pods) and the same
// open-loop trigger rate, once without and once with the option, measuring trigger latency (request sent
// → 202) and fan-out latency (published_at → frame received by a subscriber) p50/p99.
// Each mode gets its own cluster and a warm-up (not measured) first; the modes alternate over --rounds,
// so a machine busy with other work shows up as rounds that disagree rather than as a false cost.
//   npm run build && tsx bench/durability-cost.ts [--rate 200] [--seconds 8] [--subscribers 50] [--rounds 2]
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";
import { WebSocket } from "ws";
import { startLocalCluster } from "../lib/cluster/local-cluster.js";
import { epochNowMs } from "../lib/core/epoch-clock.js";
import { LatencyHistogram } from "../lib/core/latency-histogram.js";
import { arrivalSchedule, dueAtMs, dueCount } from "../lib/engine/arrival-schedule.js";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "8" },
    subscribers: { type: "string", default: "50" },
    rounds: { type: "string", default: "2" },
  },
});
const rounds = Number(values.rounds);
const warmUpSeconds = 2;
const ratePerSecond = Number(values.rate);
const seconds = Number(values.seconds);
const subscribers = Number(values.subscribers);
for (const [name, value] of Object.entries({ rate: ratePerSecond, seconds, subscribers, rounds })) {
  if (!Number.isFinite(value) || value <= 0 || value > 10_000) {
    throw new Error(`--${name} must be a number from 1 to 10000`);
  }
}

interface ModeResult {
  durability: string;
  trigger: LatencyHistogram;
  fanout: LatencyHistogram;
  accepted: number;
  refused: number;
}

function post(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/threats/trigger`, { method: "POST", agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

async function measure(durability: "none" | "replica"): Promise<ModeResult> {
  const cluster = await startLocalCluster({
    replicas: 2,
    redisMode: "sentinel",
    env: { DURABILITY: durability, LOG_LEVEL: "warn", TRIGGER_RATE_LIMIT: "0" },
  });
  const result: ModeResult = {
    durability,
    trigger: new LatencyHistogram(),
    fanout: new LatencyHistogram(),
    accepted: 0,
    refused: 0,
  };
  const sockets: WebSocket[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    for (let index = 0; index < subscribers; index++) {
      const pod = cluster.pods[index % cluster.pods.length];
      const ws = new WebSocket(`${pod?.wsUrl}`);
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; published_at?: number };
        if (frame.type === "threat" && frame.published_at !== undefined) {
          result.fanout.recordMs(Math.max(0, epochNowMs() - frame.published_at));
        }
      });
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      sockets.push(ws);
    }
    const urls = cluster.pods.map((pod) => pod.httpUrl);
    await triggerAt(agent, urls, warmUpSeconds, {
      trigger: new LatencyHistogram(),
      fanout: result.fanout,
      accepted: 0,
      refused: 0,
      durability,
    });
    result.fanout.reset();
    await triggerAt(agent, urls, seconds, result);
  } finally {
    for (const ws of sockets) ws.terminate();
    agent.destroy();
    await cluster.close();
  }
  return result;
}

/** Open-loop triggers at --rate for `forSeconds`, round-robin over the pods, into `result`. */
async function triggerAt(
  agent: Agent,
  urls: string[],
  forSeconds: number,
  result: ModeResult,
): Promise<void> {
  const schedule = arrivalSchedule(performance.now(), ratePerSecond, forSeconds);
  const inFlight = new Set<Promise<void>>();
  for (let next = 0; next < schedule.total; ) {
    for (const due = dueCount(schedule, performance.now()); next < due; next++) {
      const sentAt = performance.now();
      const sent = post(agent, urls[next % urls.length] as string).then(
        (status) => {
          if (status === 202) {
            result.accepted++;
            result.trigger.recordMs(performance.now() - sentAt);
          } else result.refused++;
        },
        () => {
          result.refused++;
        },
      );
      const tracked = sent.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, dueAtMs(schedule, next) - performance.now())),
    );
  }
  await Promise.all(inFlight);
  // Let the last frames arrive.
  await new Promise((resolve) => setTimeout(resolve, 500));
}

const fixed = (ms: number) => ms.toFixed(2).padStart(7);
const rows = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (["none", "replica"] as const) : (["replica", "none"] as const);
  for (const durability of order) rows.push(await measure(durability));
}
console.log(
  `DURABILITY cost: ${ratePerSecond} triggers/s for ${seconds} s (after ${warmUpSeconds} s warm-up), ${subscribers} subscribers, 2 pods, Sentinel (primary + 2 replicas), ${rounds} rounds`,
);
console.log("durability  trigger p50  trigger p99  fan-out p50  fan-out p99  accepted  refused");
for (const row of rows) {
  console.log(
    [
      row.durability.padEnd(10),
      `${fixed(row.trigger.percentileMs(50))} ms`,
      `${fixed(row.trigger.percentileMs(99))} ms`,
      `${fixed(row.fanout.percentileMs(50))} ms`,
      `${fixed(row.fanout.percentileMs(99))} ms`,
      String(row.accepted).padStart(8),
      String(row.refused).padStart(8),
    ].join("   "),
  );
}

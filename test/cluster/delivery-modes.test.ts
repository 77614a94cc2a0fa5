// What DELIVERY changes for a client whose pod goes down: in `pubsub` mode (the seed's design) threats
// published meanwhile are lost to it; in `recover` mode it resumes with ?since= and gets every one.
import { afterEach, describe, expect, it } from "vitest";
import { type DeliveryMode, type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { triggerThreat } from "../fixtures/trigger.js";
import { TestClient } from "../fixtures/ws-client.js";

const missedWhileDown = 5;

function trigger(httpUrl: string, description: string) {
  return triggerThreat(httpUrl, { type: "delivery-mode-test", description });
}

/**
 * A client on pod-b sees threat 1; pod-b is SIGKILLed; 5 threats are triggered on pod-a; pod-b restarts;
 * the client reconnects with ?since=<seq of threat 1>; a last threat is triggered. Returns the seqs the
 * reconnected client received, the hello it got, and what a client on pod-a (never down) saw.
 */
async function podDownScenario(cluster: LocalCluster, clients: TestClient[]) {
  const podA = cluster.pod("pod-a");
  const podB = cluster.pod("pod-b");
  const watcher = await TestClient.connect(podA.wsUrl, { label: "client on pod-a" });
  const before = await TestClient.connect(podB.wsUrl, { label: "client on pod-b" });
  clients.push(watcher, before);

  const first = await trigger(podA.httpUrl, "before the pod goes down");
  await before.waitFor(
    () => before.threats().find((frame) => frame.id === first.id),
    "the first threat",
    5000,
  );
  await podB.kill("SIGKILL");
  await before.waitForClose(5000);

  const missed: number[] = [];
  for (let n = 1; n <= missedWhileDown; n++)
    missed.push((await trigger(podA.httpUrl, `while down ${n}`)).seq);
  await podB.start();

  const after = await TestClient.connect(`${podB.wsUrl}?since=${first.seq}`, {
    label: "client back on pod-b",
  });
  clients.push(after);
  const last = await trigger(podA.httpUrl, "after the pod is back");
  await after.waitFor(() => after.threats().find((frame) => frame.id === last.id), "the last threat", 5000);
  await watcher.waitFor(
    () => watcher.threats().find((frame) => frame.id === last.id),
    "the last threat",
    5000,
  );
  return {
    missed,
    last: last.seq,
    hello: after.hello,
    received: after.threats().map((frame) => frame.seq),
    watcherReceived: watcher.threats().map((frame) => frame.seq),
    all: [first.seq, ...missed, last.seq],
  };
}

describe.skipIf(skipWithoutRedis)("delivery modes when a pod's subscription is down", () => {
  let cluster: LocalCluster | undefined;
  const clients: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await cluster?.close();
    cluster = undefined;
  });

  async function run(delivery: DeliveryMode) {
    cluster = await startLocalCluster({ replicas: 2, delivery });
    return podDownScenario(cluster, clients);
  }

  it("recover mode: a client resuming with ?since= gets every threat published while its pod was down", async () => {
    const outcome = await run("recover");
    expect(outcome.hello.resume).toBe(true);
    expect(outcome.received).toEqual([...outcome.missed, outcome.last]);
    expect(outcome.watcherReceived).toEqual(outcome.all);
    console.log(
      `recover: reconnected client got ${outcome.received.length - 1} of ${missedWhileDown} missed threats`,
    );
  });

  it("pubsub mode: threats published while the pod was down are lost to its clients", async () => {
    const outcome = await run("pubsub");
    expect(outcome.hello.resume).toBe(false);
    expect(outcome.received).toEqual([outcome.last]);
    expect(outcome.watcherReceived).toEqual(outcome.all);
    console.log(`pubsub: reconnected client got 0 of ${missedWhileDown} missed threats, only the live one`);
  });
});

// The fan-out hub alone, against an in-memory bus whose live delivery the test scripts (a gap, a
// duplicate, lost history) and real WebSocket clients on loopback: what each client receives, in order.
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createBackendMetrics } from "../../lib/backend/backend-metrics.js";
import { backendTracingOff } from "../../lib/backend/backend-tracing.js";
import { FanoutHub } from "../../lib/backend/fanout-hub.js";
import { waitFor } from "../fixtures/wait-for.js";
import { TestClient } from "../fixtures/ws-client.js";
import { MemoryThreatBus } from "./support/memory-threat-bus.js";

interface HubUnderTest {
  hub: FanoutHub;
  bus: MemoryThreatBus;
  metrics: ReturnType<typeof createBackendMetrics>;
  /** Connects a client (with ?since= and ?epoch= when given) and waits for its hello. */
  connect(query?: string): Promise<TestClient>;
}

const open: { server: WebSocketServer; clients: TestClient[] }[] = [];

afterEach(async () => {
  for (const { server, clients } of open.splice(0)) {
    for (const client of clients) client.ws.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function startHub(delivery: "recover" | "pubsub", history = 0): Promise<HubUnderTest> {
  const bus = new MemoryThreatBus();
  const metrics = createBackendMetrics("pod-h");
  const hub = new FanoutHub({
    podName: "pod-h",
    delivery,
    slowConsumerBytes: 1 << 20,
    bus,
    metrics,
    tracing: backendTracingOff,
    logger: pino({ level: "silent" }),
  });
  bus.start(hub);
  bus.append(history);
  bus.subscribed();
  await waitFor(() => hub.accepting, "the hub to position itself");
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (ws, request: IncomingMessage) => {
    const query = new URL(request.url ?? "/", "http://pod").searchParams;
    const since = query.get("since");
    hub.add(ws, since === null ? undefined : Number(since), query.get("epoch") ?? undefined);
  });
  await new Promise((resolve) => server.once("listening", resolve));
  const clients: TestClient[] = [];
  open.push({ server, clients });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  return {
    hub,
    bus,
    metrics,
    async connect(query = "") {
      const client = await TestClient.connect(`${url}${query}`);
      clients.push(client);
      return client;
    },
  };
}

const seqsReach = (client: TestClient, count: number) => () => client.seqs().length >= count;

describe("FanoutHub", () => {
  it("says hello with the head and fans live frames out to every client in seq order", async () => {
    const { bus, connect } = await startHub("recover", 2);
    const clients = [await connect(), await connect()];
    bus.publishLive(3);
    for (const client of clients) {
      await client.waitFor(seqsReach(client, 3), "three threats");
      expect(client.hello).toMatchObject({
        type: "hello",
        pod: "pod-h",
        seq: 2,
        epoch: "epoch-1",
        resume: true,
      });
      expect(client.seqs()).toEqual([3, 4, 5]);
    }
  });

  it("backfills a live gap from history before pushing the newer frame, and drops a live duplicate", async () => {
    const { bus, connect, metrics } = await startHub("recover");
    const client = await connect();
    bus.append(5);
    bus.deliver(1, 2, 4, 2, 5);
    await client.waitFor(seqsReach(client, 5), "five threats");
    expect(client.seqs()).toEqual([1, 2, 3, 4, 5]);
    // History already held 3, 4 and 5 when the gap was seen: all three came from it, and the held live
    // frames (4, the repeated 2, 5) were dropped as already sent.
    const backfilled = await metrics.backfilled.get();
    expect(backfilled.values.find((value) => value.labels.reason === "gap")?.value).toBe(3);
  });

  it("resumes a client from ?since=: history up to the head, then live, nothing skipped or repeated", async () => {
    const { bus, connect } = await startHub("recover");
    bus.publishLive(5);
    const client = await connect("?since=2&epoch=epoch-1");
    await client.waitFor(seqsReach(client, 3), "the resumed threats");
    bus.publishLive(1);
    await client.waitFor(seqsReach(client, 4), "the live threat after the resume");
    expect(client.hello.seq).toBe(5);
    expect(client.seqs()).toEqual([3, 4, 5, 6]);
  });

  it("resets every client when history is lost, then fans out the new epoch from seq 1", async () => {
    const { bus, connect } = await startHub("recover");
    const client = await connect();
    bus.publishLive(3);
    await client.waitFor(seqsReach(client, 3), "three threats");
    bus.loseHistory("epoch-2");
    bus.append(2);
    bus.subscribed();
    await client.waitFor(seqsReach(client, 5), "the new epoch's threats");
    const types = client.frames.map((frame) => (frame.type === "threat" ? frame.seq : frame.type));
    expect(types).toEqual(["hello", 1, 2, 3, "reset", 1, 2]);
    expect(client.frames[4]).toEqual({ type: "reset", epoch: "epoch-2" });
  });

  it("resets clients into a rotated epoch after its base: history before the base is never replayed", async () => {
    const { bus, connect } = await startHub("recover");
    const live = await connect();
    bus.publishLive(3);
    await live.waitFor(seqsReach(live, 3), "three threats");
    // A seq regression was found with the head at 3: the new epoch continues at seq 4.
    bus.rotate("epoch-2");
    await live.waitFor(() => live.frames.some((frame) => frame.type === "reset"), "the reset");
    bus.publishLive(2);
    await live.waitFor(seqsReach(live, 5), "the new epoch's threats");
    const types = live.frames.map((frame) => (frame.type === "threat" ? frame.seq : frame.type));
    expect(types).toEqual(["hello", 1, 2, 3, "reset", 4, 5]);
    // A client coming back from the old epoch is reset and resumed from the base, not from seq 1.
    const returning = await connect("?since=3&epoch=epoch-1");
    await returning.waitFor(seqsReach(returning, 2), "the new epoch's threats");
    expect(returning.frames.map((frame) => (frame.type === "threat" ? frame.seq : frame.type))).toEqual([
      "hello",
      "reset",
      4,
      5,
    ]);
  });

  it("in pubsub mode forwards what arrives, gaps included, and ignores ?since=", async () => {
    const { bus, connect } = await startHub("pubsub", 3);
    const resumed = await connect("?since=1");
    bus.append(3);
    bus.deliver(4, 6);
    await resumed.waitFor(seqsReach(resumed, 2), "the live threats");
    expect(resumed.hello).toMatchObject({ seq: 3, resume: false });
    expect(resumed.seqs()).toEqual([4, 6]);
  });
});

// Resuming with ?since=: a client that reconnects gets exactly what it missed, from history, then live
// frames, with no gap and no duplicate; and what `since` and `epoch` mean at the edges.
import { describe, expect, it } from "vitest";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { triggerAccepted } from "./support/backend-pods.js";
import { publishDirect } from "./support/direct-publisher.js";
import { usePodsOnRedis } from "./support/pods-on-redis.js";

describe.skipIf(skipWithoutRedis)("resume with since", () => {
  const { pod, redisUrl, connect } = usePodsOnRedis(["pod-a", "pod-b"]);

  it("gives a reconnecting client exactly the 20 threats it missed, then live ones, in order", async () => {
    const first = await connect(pod(1).ws);
    for (let n = 0; n < 5; n++) await triggerAccepted(pod(0));
    const seen = await first.waitForThreats(5);
    const lastSeen = seen.at(-1)?.seq ?? 0;
    await first.close();

    const missed = [];
    for (let n = 0; n < 20; n++) missed.push((await triggerAccepted(pod(0))).seq);

    const resumed = await connect(`${pod(1).ws}?since=${lastSeen}`);
    expect(resumed.hello).toMatchObject({ resume: true, seq: missed.at(-1) });
    await resumed.waitForThreats(20);
    const live = await triggerAccepted(pod(0));
    await resumed.waitForThreats(21);
    expect(resumed.seqs()).toEqual([...missed, live.seq]);
  });

  it("keeps order while live frames arrive during the history read", async () => {
    const anchor = await triggerAccepted(pod(0));
    await publishDirect(redisUrl(), 300);
    // Triggers keep landing while the client's backfill of 300 frames is read and sent.
    const live = Array.from({ length: 50 }, () => triggerAccepted(pod(0)));
    const resumed = await connect(`${pod(1).ws}?since=${anchor.seq}`);
    const last = (await Promise.all(live)).reduce((max, reply) => Math.max(max, reply.seq), 0);
    await resumed.waitFor(() => resumed.seqs().at(-1) === last, `seq ${last}`);
    const seqs = resumed.seqs();
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => anchor.seq + 1 + i));
  });

  it("treats since=0 as 'everything in this epoch' and a since ahead of Redis as a position from a lost epoch", async () => {
    const head = (await triggerAccepted(pod(0))).seq;
    const everything = await connect(`${pod(0).ws}?since=0`);
    await everything.waitForThreats(head);
    expect(everything.seqs()).toEqual(Array.from({ length: head }, (_, i) => i + 1));

    const stale = await connect(`${pod(0).ws}?since=${head + 1_000_000}`);
    await stale.waitFor(() => stale.frames.some((frame) => frame.type === "reset"), "a reset frame");
    await stale.waitForThreats(head);
    expect(stale.seqs()).toEqual(Array.from({ length: head }, (_, i) => i + 1));
  });

  it("resets a client that names another epoch and sends it this epoch from seq 1", async () => {
    const head = (await triggerAccepted(pod(0))).seq;
    const client = await connect(`${pod(1).ws}?since=${head}&epoch=some-lost-epoch`);
    await client.waitForThreats(head);
    expect(client.frames[1]).toEqual({ type: "reset", epoch: client.hello.epoch });
    expect(client.seqs()).toEqual(Array.from({ length: head }, (_, i) => i + 1));
  });
});

// DURABILITY=replica's WAIT sharing: a publish is covered only by a WAIT sent after its write.
import { describe, expect, it } from "vitest";
import { ReplicaAck } from "../../lib/backend/replica-ack.js";

/** A WAIT command whose replies the test releases one at a time, recording each call. */
function controlledWait() {
  const calls: { replicas: number; timeoutMs: number; answer: (count: number) => void }[] = [];
  const wait = (replicas: number, timeoutMs: number) =>
    new Promise<number>((resolve) => calls.push({ replicas, timeoutMs, answer: resolve }));
  return { calls, wait };
}

describe("ReplicaAck", () => {
  it("sends WAIT 1 <timeout> at once when none is in flight", async () => {
    const { calls, wait } = controlledWait();
    const ack = new ReplicaAck(wait, 300);
    const confirmed = ack.confirm();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ replicas: 1, timeoutMs: 300 });
    calls[0]?.answer(1);
    expect(await confirmed).toBe(1);
  });

  it("queues writes made during a WAIT onto one next WAIT, never onto the one already sent", async () => {
    const { calls, wait } = controlledWait();
    const ack = new ReplicaAck(wait, 300);
    const first = ack.confirm();
    const second = ack.confirm();
    const third = ack.confirm();
    expect(calls).toHaveLength(1);
    calls[0]?.answer(0);
    expect(await first).toBe(0);
    await Promise.resolve();
    expect(calls).toHaveLength(2);
    calls[1]?.answer(1);
    expect(await Promise.all([second, third])).toEqual([1, 1]);
    // Idle again: the next write gets its own WAIT.
    const fourth = ack.confirm();
    expect(calls).toHaveLength(3);
    calls[2]?.answer(1);
    expect(await fourth).toBe(1);
  });
});

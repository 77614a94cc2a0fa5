import { describe, expect, it } from "vitest";
import { crosspodAdapter, crosspodPods } from "../../lib/core/adapters/crosspod-adapter.js";
import { deliveryMode } from "../../lib/core/run-header.js";
import { discoverPods, TargetError, triggerTargets } from "../../lib/core/target-discovery.js";
import { helloFrame, threatFrame } from "./support/crosspod-frames.js";
import { ScriptedRuntime } from "./support/scripted-runtime.js";

const urls = ["http://127.0.0.1:7001", "http://127.0.0.1:7002"];

/** Discovery over the scripted runtime; `answer` scripts each dialled socket once it exists. */
async function discover(
  baseUrls: string[],
  answer: (runtime: ScriptedRuntime, index: number) => void,
  timeoutMs = 1_000,
) {
  const runtime = new ScriptedRuntime();
  const discovering = discoverPods(crosspodAdapter(), crosspodPods(baseUrls), runtime, timeoutMs);
  for (let index = 0; index < runtime.sockets.length; index++) answer(runtime, index);
  return { discovering, runtime };
}

describe("target discovery", () => {
  it("learns each pod's name, delivery mode and head from its hello, and closes the socket", async () => {
    const { discovering, runtime } = await discover(urls, (runtime, index) =>
      runtime.sockets[index]?.open().push(helloFrame(`pod-${index}`, 40 + index, index === 0)),
    );
    expect(await discovering).toEqual([
      { url: urls[0], wsUrl: "ws://127.0.0.1:7001/ws", pod: "pod-0", resume: true, headSeq: 40 },
      { url: urls[1], wsUrl: "ws://127.0.0.1:7002/ws", pod: "pod-1", resume: false, headSeq: 41 },
    ]);
    expect(runtime.sockets.map((socket) => socket.closedWith)).toEqual([1000, 1000]);
  });

  it("rejects a URL listed twice before dialling anything", async () => {
    const runtime = new ScriptedRuntime();
    const discovering = discoverPods(
      crosspodAdapter(),
      crosspodPods([urls[0] ?? "", urls[0] ?? ""]),
      runtime,
    );
    await expect(discovering).rejects.toThrow(
      new TargetError("target http://127.0.0.1:7001 is listed twice: give each pod's URL once"),
    );
    expect(runtime.sockets).toHaveLength(0);
  });

  it("rejects two URLs whose hellos name the same pod", async () => {
    const { discovering } = await discover(urls, (runtime, index) =>
      runtime.sockets[index]?.open().push(helloFrame("pod-a", 0, true)),
    );
    await expect(discovering).rejects.toThrow(
      'targets http://127.0.0.1:7001 and http://127.0.0.1:7002 both say they are pod "pod-a": give each pod once',
    );
  });

  it("names the target that sent something else first, failed to connect or never said hello", async () => {
    const { discovering: delivery } = await discover(urls.slice(0, 1), (runtime) =>
      runtime.socket.open().push(threatFrame(1, "pod-a", 0)),
    );
    await expect(delivery).rejects.toThrow(
      "target http://127.0.0.1:7001: expected a hello frame first, got delivery",
    );
    const { discovering: refused } = await discover(urls.slice(0, 1), (runtime) =>
      runtime.socket.fail("ECONNREFUSED").end(),
    );
    await expect(refused).rejects.toThrow(
      "target http://127.0.0.1:7001: cannot connect to ws://127.0.0.1:7001/ws (ECONNREFUSED)",
    );
    const silent = await discover(urls.slice(0, 1), (runtime) => runtime.socket.open(), 300);
    silent.runtime.advance(300);
    await expect(silent.discovering).rejects.toThrow(
      "target http://127.0.0.1:7001: no hello frame within 300 ms",
    );
  });

  it("selects the trigger pods: all round-robin, or the one named, and names the option when it is absent", () => {
    const targets = [{ pod: "pod-a" }, { pod: "pod-b" }];
    expect(triggerTargets(targets, "round-robin")).toEqual(targets);
    expect(triggerTargets(targets, "pod-b")).toEqual([{ pod: "pod-b" }]);
    expect(() => triggerTargets(targets, "pod-z")).toThrow(
      'trigger pod "pod-z" (--trigger-pod, CROSSPOD_TRIGGER_POD) is not among the targets (pods: pod-a, pod-b)',
    );
  });

  it("calls the delivery mode recover, pubsub or unknown from the pods' hellos", () => {
    expect(deliveryMode([{ resume: true }, { resume: true }])).toBe("recover");
    expect(deliveryMode([{ resume: false }, { resume: false }])).toBe("pubsub");
    expect(deliveryMode([{ resume: true }, { resume: false }])).toBe("unknown");
  });
});

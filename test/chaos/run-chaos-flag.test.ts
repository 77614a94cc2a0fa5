import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "../../lib/cli/run-options.js";

function resolve(raw: Record<string, unknown>) {
  return resolveRunConfig("cross-pod-load", { threshold: [], ...raw }, {});
}

describe("crosspod run --chaos", () => {
  it("parses the schedule into steps for the local cluster", () => {
    const config = resolve({ chaos: "kill-pod:pod-b@10s,restart-pod:pod-b@15s", duration: "20s" });
    expect(config.chaos.map((step) => [step.atSeconds, step.action.action, step.action.target])).toEqual([
      [10, "kill-pod", "pod-b"],
      [15, "restart-pod", "pod-b"],
    ]);
    expect(config.chaosText).toBe("kill-pod:pod-b@10s,restart-pod:pod-b@15s");
    expect(resolve({}).chaos).toEqual([]);
  });

  it.each([
    [
      { chaos: "kill-pod:pod-b@1s,kill-pod:pod-z@3s" },
      '--chaos: chaos step 2 "kill-pod:pod-z@3s": no pod "pod-z" (pods: pod-a, pod-b, pod-c)',
    ],
    [{ chaos: "kill-pod:pod-d@1s", replicas: "4" }, undefined],
    [
      { chaos: "kill-pod:pod-b@40s" },
      'chaos step 1 "kill-pod:pod-b@40s": 40 s is after the trigger phase ends (30 s)',
    ],
    [{ chaos: "explode:pod-b@1s" }, '--chaos: chaos step 1 "explode:pod-b@1s": unknown action "explode"'],
    [
      { chaos: "kill-pod:pod-b@1s", targets: "http://127.0.0.1:8080" },
      "--chaos acts on the local cluster crosspod starts",
    ],
  ])("checks %j before starting anything", (raw, message) => {
    if (message === undefined) {
      expect(() => resolve(raw)).not.toThrow();
      return;
    }
    expect(() => resolve(raw)).toThrow(message);
  });
});

import { describe, expect, it } from "vitest";
import { renderConsoleSummary } from "../../lib/report/console-summary.js";
import {
  browserReport,
  emptyReport,
  failingReport,
  injectedDetail,
  injectedPod,
  sampleReport,
} from "./sample-report.js";

const escapeCharacter = String.fromCharCode(27);

function lineStartingWith(text: string, prefix: string): string {
  const line = text.split("\n").find((candidate) => candidate.trimStart().startsWith(prefix));
  if (line === undefined) throw new Error(`no line starting with "${prefix}" in:\n${text}`);
  return line;
}

describe("renderConsoleSummary", () => {
  it("shows per-pod and overall columns with connections, frames and latency figures", () => {
    const text = renderConsoleSummary(sampleReport());
    expect(lineStartingWith(text, "pod-a")).toMatch(/pod-a\s+pod-b\s+pod-c\s+overall/);
    expect(lineStartingWith(text, "opened")).toMatch(/100\s+200\s+100\s+400$/);
    expect(lineStartingWith(text, "received")).toMatch(/60,000\s+60,000\s+60,000\s+180,000$/);
    expect(lineStartingWith(text, "recovered after resume")).toMatch(/0\s+2,000\s+0\s+2,000$/);
    expect(lineStartingWith(text, "reconnect time p99")).toMatch(/–\s+641\s+–\s+641$/);
    expect(lineStartingWith(text, "p99.9")).toMatch(/20\.9\s+23\.7\s+20\.3\s+21\.6$/);
    for (const label of ["p50", "p90", "p99", "max", "lost", "duplicates", "out of order"]) {
      expect(text).toMatch(new RegExp(`\\n\\s+${label}\\s`));
    }
    expect(text).toContain("missed while disconnected");
  });

  it("shows the origin to deliverer matrix", () => {
    const text = renderConsoleSummary(sampleReport());
    expect(text).toContain("Origin → delivering pod");
    expect(lineStartingWith(text, "pod-c  ")).toContain("1.70 / 10.4 · 20,000");
  });

  it("shows each chaos event with its reconnect times, recovery and latency before, during and after", () => {
    const text = renderConsoleSummary(failingReport());
    expect(text).toContain("#1 kill-pod pod-b");
    expect(lineStartingWith(text, "at (run time)")).toMatch(/12\.4 s$/);
    expect(lineStartingWith(text, "clients disconnected")).toMatch(/100$/);
    expect(lineStartingWith(text, "time to reconnect")).toMatch(/361 \/ 641 \/ 652$/);
    expect(lineStartingWith(text, "fan-out p99 before")).toMatch(/9\.10 \/ 188 \/ 10\.2$/);
    expect(lineStartingWith(text, "history lost")).toMatch(/no$/);
  });

  it("adds a Redis line to a failover event: time without a primary, refusals, pods, resets, acknowledged lost", () => {
    const report = sampleReport();
    const [kill] = report.chaos;
    if (kill === undefined) throw new Error("sample report has no chaos event");
    report.chaos = [
      kill,
      {
        ...kill,
        action: "kill-redis-primary",
        target: "redis",
        redis: {
          fromPrimary: "redis-1 127.0.0.1:7001",
          toPrimary: "redis-2 127.0.0.1:7002",
          noPrimaryMs: 2440,
          resubscribeMs: 3250,
          refused: 61,
          clientResets: 30,
          acknowledgedLost: 12,
          acknowledgedLostSamples: ["run-node-0:40", "run-node-1:41"],
        },
      },
    ];
    const text = renderConsoleSummary(report);
    expect(lineStartingWith(text, "Redis #2 kill-redis-primary").trim()).toBe(
      "Redis #2 kill-redis-primary: redis-1 127.0.0.1:7001 -> redis-2 127.0.0.1:7002 · no writable primary 2.44 s · refused (503) 61 · pods resubscribed after 3.25 s · client resets 30 · acknowledged lost 12 (e.g. run-node-0:40, run-node-1:41)",
    );
    expect(text).not.toContain("Redis #1");
  });

  it("shows the console pages' render latency and the page's share per pod, and their errors", () => {
    const text = renderConsoleSummary(browserReport());
    expect(text).toContain("Browser · 3 console pages · 1 page error");
    const browserPart = text.slice(text.indexOf("Browser ·"), text.indexOf("Thresholds"));
    expect(lineStartingWith(browserPart, "pod-a")).toMatch(/pod-a\s+pod-b$/);
    expect(lineStartingWith(browserPart, "rows rendered")).toMatch(/1,200\s+600$/);
    expect(lineStartingWith(browserPart, "p99")).toMatch(/232\s+250$/);
    expect(browserPart).toContain("In the page (ms, message received → row attached)");
    expect(browserPart).toContain(`page error: pod-b: ${injectedDetail}`);
  });

  it("leaves the browser section out of a run without console pages", () => {
    expect(renderConsoleSummary(sampleReport())).not.toContain("Browser");
  });

  it("marks passing thresholds ✓ and failing ones ✗ with their actual values", () => {
    const text = renderConsoleSummary(failingReport());
    expect(lineStartingWith(text, "✓  crosspod_out_of_order")).toMatch(/count==0\s+0$/);
    expect(lineStartingWith(text, "✗  crosspod_lost")).toMatch(/count==0\s+20$/);
    expect(lineStartingWith(text, "✗  crosspod_fanout_latency")).toMatch(/p\(99\)<5\s+8\.97 ms$/);
    expect(lineStartingWith(text, "✗  crosspod_delivery")).toMatch(/rate>0\.9999\s+99\.888% \(0\.99888\)$/);
    expect(lineStartingWith(text, "✓  crosspod_reconnect_time")).toMatch(/641 ms$/);
  });

  it("shows a per-phase latency threshold's actual value in ms", () => {
    const report = sampleReport();
    report.thresholds = [
      { metric: "crosspod_fanout_latency{phase:steady}", expression: "p(99)<250", ok: true, actual: 23.5 },
    ];
    const text = renderConsoleSummary(report);
    expect(lineStartingWith(text, "✓  crosspod_fanout_latency{phase:steady}")).toMatch(
      /p\(99\)<250\s+23\.5 ms$/,
    );
  });

  it("ends with a PASS verdict line when thresholds pass and the run is valid", () => {
    const lines = renderConsoleSummary(sampleReport()).trimEnd().split("\n");
    expect(lines.at(-1)).toBe(
      "PASS · 4/4 thresholds passed · run valid (the load generator kept up) · 180,000/180,000 frames received · 0 lost · 0 duplicates · 0 out of order · fan-out p99 8.97 ms",
    );
  });

  it("ends with a FAIL verdict naming the failed thresholds and the invalid run", () => {
    const text = renderConsoleSummary(failingReport());
    const last = text.trimEnd().split("\n").at(-1) ?? "";
    expect(last).toMatch(
      /^FAIL · 4\/6 thresholds failed, judging the system under test \(crosspod_lost count==0, /,
    );
    expect(last).toContain(
      "run INVALID: the load generator could not do its job (generator event-loop lag p99 412 ms exceeded 100 ms)",
    );
    expect(last).toContain("20 lost");
    expect(text).toContain("INVALID: generator event-loop lag");
    expect(text).toContain("lost samples: 4107, 4108, 4109");
  });

  it("fails a run that measured nothing even with no thresholds set", () => {
    const text = renderConsoleSummary(emptyReport());
    expect(text).toContain("none set");
    expect(text.trimEnd().split("\n").at(-1)).toMatch(/^FAIL · nothing measured/);
    expect(text).not.toContain("Chaos");
    expect(text).not.toContain("Origin → delivering pod");
  });

  it("uses no escape sequences unless color is asked for, and the same text once colors are stripped", () => {
    const plain = renderConsoleSummary(failingReport());
    const colored = renderConsoleSummary(failingReport(), { color: true });
    expect(plain).not.toContain(escape);
    expect(colored).toContain(`${escapeCharacter}[31m✗`);
    expect(
      colored.replace(new RegExp(`${escapeCharacter}\\[[0-9;]*m`, "g"), "").replace(" FAIL ", "FAIL"),
    ).toBe(plain);
  });

  it("wraps many pods into several tables that each fit a terminal", () => {
    const report = sampleReport();
    const podA = report.pods["pod-a"];
    if (podA === undefined) throw new Error("no pod-a");
    for (let i = 0; i < 9; i += 1) report.pods[`pod-extra-${i}`] = podA;
    report.pods[injectedPod] = podA;
    const text = renderConsoleSummary(report);
    expect(text.split("\n").filter((line) => line.trim().startsWith("opened"))).toHaveLength(3);
    expect(
      Math.max(
        ...text
          .split("\n")
          .filter((l) => l.includes("opened"))
          .map((l) => l.length),
      ),
    ).toBeLessThan(120);
  });
});

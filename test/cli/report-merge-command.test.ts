import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emptyDelivery } from "../../lib/core/delivery-figures.js";
import { renderJsonReport } from "../../lib/core/report-json.js";
import type { Report } from "../../lib/core/report-model.js";
import { buildReport, PodRecorder } from "../../lib/core/run-recorder.js";
import { runCli } from "../fixtures/node-process.js";

const dir = mkdtempSync(join(tmpdir(), "crosspod-merge-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A runner's partial report: `connections` clients on pod-a that each got 10 frames and lost `lost`. */
function partial(segment: string, connections: number, lost = 0): string {
  const pod = new PodRecorder();
  pod.connections.opened = connections;
  pod.connections.peak = connections;
  for (let connection = 0; connection < connections; connection++) {
    for (let frame = 1; frame <= 10; frame++) pod.fanout.recordMs(frame);
  }
  pod.delivery = { ...emptyDelivery(), expected: connections * 10 + lost, received: connections * 10, lost };
  const report: Report = buildReport({
    run: {
      id: "run-cli-merge",
      profile: "cross-pod-load",
      engine: "node",
      startedAt: "2026-01-01T00:00:00.000Z",
      endedAt: "2026-01-01T00:00:10.000Z",
      durationSeconds: 10,
      targets: [{ pod: "pod-a", url: "http://127.0.0.1:8081" }],
      delivery: "recover",
      accounting: "seq",
      settings: {},
      segments: [segment],
    },
    pods: { "pod-a": pod },
    timeSeries: [],
    events: [],
    thresholds: { crosspod_lost: ["count==0"], crosspod_fanout_latency: ["p(99)<50"] },
  });
  const path = join(dir, `${segment.replace(/[/:]/g, "_")}-${lost}.json`);
  writeFileSync(path, renderJsonReport(report));
  return path;
}

describe("crosspod report merge", () => {
  it("merges three runners' partial reports into one report and exits 0 when it passes", async () => {
    const out = join(dir, "merged.json");
    const { code, stdout, stderr } = await runCli([
      "report",
      "merge",
      partial("0:1/3", 2),
      partial("1/3:2/3", 3),
      partial("2/3:1", 1),
      "--out",
      out,
    ]);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toContain("merged 3 reports of run run-cli-merge");
    const merged = JSON.parse(readFileSync(out, "utf8")) as Report;
    expect(merged.overall.delivery.received).toBe(60);
    expect(merged.overall.connections.opened).toBe(6);
    expect(merged.run.segments).toEqual(["0:1/3", "1/3:2/3", "2/3:1"]);
  });

  it("fails the one verdict with exit 99 when one runner lost frames", async () => {
    const { code, stdout } = await runCli([
      "report",
      "merge",
      partial("0:1/3", 2),
      partial("1/3:2/3", 3, 4),
      partial("2/3:1", 1),
    ]);
    expect(code).toBe(99);
    expect(stdout).toMatch(/^FAIL .*crosspod_lost count==0/m);
  });

  it("exits 2 naming the runner that did not report, without a stack trace", async () => {
    const { code, stderr } = await runCli(["report", "merge", partial("0:1/3", 2), partial("2/3:1", 1)]);
    expect(code).toBe(2);
    expect(stderr).toContain("execution segments missing: 1/3:2/3");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 for a file that is not a crosspod report", async () => {
    const bogus = join(dir, "bogus.json");
    writeFileSync(bogus, '{"schema":"something-else"}');
    const { code, stderr } = await runCli(["report", "merge", bogus]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${bogus}: schema is "something-else"`);
  });
});

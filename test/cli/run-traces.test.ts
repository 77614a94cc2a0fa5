// `crosspod run --traces` with OTEL_EXPORTER_OTLP_ENDPOINT also set, as a user runs it: the engine and the
// three local pods send OTLP/JSON to the endpoint (a receiver inside this test) and to crosspod's own
// receiver, and the report names the slowest threats with their full waterfall.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type OtlpReceiver, startOtlpReceiver } from "../../lib/cluster/otlp-receiver.js";
import { reportSchema } from "../../lib/core/report-model.js";
import { runCli } from "../fixtures/node-process.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";

const workDir = mkdtempSync(join(tmpdir(), "crosspod-run-traces-"));
let receiver: OtlpReceiver | undefined;
afterAll(async () => {
  await receiver?.close();
  rmSync(workDir, { recursive: true, force: true });
});

const pods = ["pod-a", "pod-b", "pod-c"];

describe.skipIf(skipWithoutRedis)("crosspod run --traces", () => {
  it("reports the slowest threats' waterfalls and sends every span to the OTLP endpoint too", async () => {
    receiver = await startOtlpReceiver();
    const out = join(workDir, "report.json");
    const html = join(workDir, "report.html");
    const { code, stdout, stderr } = await runCli(
      [
        "run",
        "cross-pod-load",
        "--connections",
        "30",
        "--rate",
        "5",
        "--duration",
        "2s",
        "--ramp",
        "1s",
        "--traces",
        "--out",
        out,
        "--html",
        html,
        "--max-generator-lag",
        "1000",
        "--max-generator-cpu",
        "400",
        "--threshold",
        "crosspod_fanout_latency:p(99)<10000",
      ],
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" },
      90_000,
    );
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    const report = reportSchema.parse(JSON.parse(readFileSync(out, "utf8")));
    const traces = report.traces ?? [];
    expect(traces).toHaveLength(5);
    const slowest = traces[0];
    if (!slowest) throw new Error("no trace in the report");
    expect(traces.map((trace) => trace.totalMs)).toEqual(
      [...traces.map((trace) => trace.totalMs)].sort((a, b) => b - a),
    );
    const named = (name: string) => slowest.spans.filter((span) => span.name === name);
    expect(slowest.spans[0]).toMatchObject({ name: "trigger threat", depth: 0, offsetMs: 0 });
    expect(named("publish threats")).toHaveLength(1);
    expect(
      named("deliver threat")
        .map((span) => span.pod)
        .sort(),
    ).toEqual(pods);
    expect(
      named("receive threat")
        .map((span) => span.pod)
        .sort(),
    ).toEqual(pods);
    expect(stdout).toContain(`  ${slowest.traceId}  `);
    expect(readFileSync(html, "utf8")).toContain(`trace ${slowest.traceId}: ${slowest.spans.length} spans`);

    // The user's endpoint got the same traces: each pod's delivery span of the slowest threat included.
    const inSlowest = () => (receiver?.spans ?? []).filter((span) => span.traceId === slowest.traceId);
    const deliveries = await waitFor(() => {
      const found = inSlowest().filter((span) => span.name === "deliver threat");
      return found.length === pods.length && found;
    }, "the slowest threat's delivery spans at the OTLP endpoint");
    expect(deliveries.map((span) => span.resource["service.instance.id"]).sort()).toEqual(pods);
  });
});

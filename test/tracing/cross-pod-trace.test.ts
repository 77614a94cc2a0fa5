// One sampled threat, one trace, across real processes: the engine's trigger span, the backend's HTTP and
// publish spans, one delivery span per pod (three backend processes, each its own service.instance.id)
// and the engine's receive span per pod. The pods export OTLP/protobuf and the engine OTLP/JSON to a
// receiver inside the test, which decodes both with the OpenTelemetry packages' own encodings.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { type OtlpReceiver, startOtlpReceiver } from "../../lib/cluster/otlp-receiver.js";
import type { ThreatFrame } from "../../lib/core/threat-protocol.js";
import type { SpanRecord } from "../../lib/core/threat-traces.js";
import { parseTraceparent } from "../../lib/core/trace-context.js";
import { runNodeEngine } from "../../lib/engine/run-node-engine.js";
import { engineTracer } from "../fixtures/engine-tracer.js";
import { protobufDecoder, protobufMediaType } from "../fixtures/otlp-protobuf.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";
import { TestClient } from "../fixtures/ws-client.js";

const recorder = pathToFileURL(join(import.meta.dirname, "../fixtures/module-load-recorder.mjs")).href;
const pods = ["pod-a", "pod-b", "pod-c"];

describe.skipIf(skipWithoutRedis)("a traced threat across three backend processes and the engine", () => {
  let receiver: OtlpReceiver | undefined;
  let cluster: LocalCluster | undefined;
  let logDir = "";

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), "crosspod-trace-"));
    receiver = await startOtlpReceiver({ decoders: { [protobufMediaType]: protobufDecoder } });
    cluster = await startLocalCluster({
      replicas: 3,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_BSP_SCHEDULE_DELAY: "100",
        NODE_OPTIONS: `--import ${recorder}`,
        CROSSPOD_TEST_MODULE_LOG: join(logDir, "modules.log"),
      },
    });
  });

  afterAll(async () => {
    await cluster?.close();
    await receiver?.close();
    await rm(logDir, { recursive: true, force: true });
  });

  function spans(): readonly SpanRecord[] {
    return receiver?.spans ?? [];
  }

  it("records each trigger as one trace: trigger, HTTP, publish, one delivery and one receive per pod", async () => {
    if (!cluster || !receiver) throw new Error("setup failed");
    const tracer = await engineTracer(receiver);
    const { report } = await runNodeEngine({
      runId: "trace-1",
      profile: {
        name: "traced",
        connections: 6,
        rampSeconds: 0,
        triggerRate: 2,
        durationSeconds: 1,
        drainSeconds: 5,
        triggerPod: "round-robin",
        connectionsPerVu: 50,
        thresholds: {},
      },
      targets: cluster.pods.map((pod) => pod.httpUrl),
      thresholds: {},
      tracer,
    });
    await tracer.shutdown();
    expect(report.overall.triggers.accepted).toBe(2);

    const triggers = () => spans().filter((span) => span.name === "trigger threat");
    const complete = (trigger: SpanRecord) =>
      spans().filter((span) => span.traceId === trigger.traceId && span.name === "deliver threat").length >=
      pods.length;
    await waitFor(
      () => triggers().length === 2 && triggers().every(complete),
      "every pod's delivery span of both triggers",
      10_000,
    );

    for (const trigger of triggers()) {
      const trace = spans().filter((span) => span.traceId === trigger.traceId);
      const context = JSON.stringify(
        trace.map(({ name, spanId, parentSpanId, resource }) => ({ name, spanId, parentSpanId, resource })),
        null,
        1,
      );
      expect(trigger.parentSpanId, context).toBeUndefined();
      expect(trigger.resource["service.name"]).toBe("crosspod-engine");
      const http = trace.filter((span) => span.name === "POST /api/threats/trigger");
      expect(http, context).toHaveLength(1);
      expect(http[0]?.parentSpanId).toBe(trigger.spanId);
      expect(http[0]?.resource["service.instance.id"]).toBe(trigger.attributes["crosspod.pod"]);
      const publish = trace.filter((span) => span.name === "publish threats");
      expect(publish, context).toHaveLength(1);
      expect(publish[0]?.parentSpanId).toBe(http[0]?.spanId);

      const deliveries = trace.filter((span) => span.name === "deliver threat");
      expect(deliveries, context).toHaveLength(3);
      expect(deliveries.map((span) => span.resource["service.instance.id"]).sort()).toEqual(pods);
      for (const delivery of deliveries) {
        expect(delivery.parentSpanId).toBe(publish[0]?.spanId);
        expect(delivery.resource["service.name"]).toBe("crosspod-backend");
        expect(delivery.attributes["crosspod.pod"]).toBe(delivery.resource["service.instance.id"]);
        expect(delivery.attributes["crosspod.clients_written"]).toBe(2);
        expect(delivery.attributes["crosspod.seq"]).toBe(publish[0]?.attributes["crosspod.seq"]);
      }

      const receives = trace.filter((span) => span.name === "receive threat");
      expect(receives.map((span) => span.attributes["crosspod.pod"]).sort(), context).toEqual(pods);
      for (const receive of receives) {
        expect(receive.parentSpanId).toBe(publish[0]?.spanId);
        expect(receive.resource["service.name"]).toBe("crosspod-engine");
        expect(receive.attributes["crosspod.clients_received"]).toBe(2);
      }
    }
    const loaded = await readFile(join(logDir, "modules.log"), "utf8");
    expect(loaded).toMatch(/@opentelemetry\/sdk-trace-base/);
  });

  it("gives a client resumed with ?since= the frames' original trace context", async () => {
    if (!cluster) throw new Error("setup failed");
    const publishes = spans().filter((span) => span.name === "publish threats");
    expect(publishes.length).toBeGreaterThanOrEqual(2);
    const podB = cluster.pod("pod-b");
    const client = await TestClient.connect(`${podB.wsUrl}?since=0`, { label: "resumed on pod-b" });
    try {
      for (const publish of publishes) {
        const seq = publish.attributes["crosspod.seq"];
        const frame = await client.waitFor(
          () => client.threats().find((threat: ThreatFrame) => threat.seq === seq),
          `seq ${seq} from history`,
        );
        const context = parseTraceparent(frame.traceparent ?? "");
        expect(context, JSON.stringify(frame)).toEqual({
          traceId: publish.traceId,
          spanId: publish.spanId,
          sampled: true,
        });
      }
    } finally {
      await client.close();
    }
    // The pod records the resume once, linked to the publish span of every traced frame it replayed.
    const resume = await waitFor(
      () =>
        spans().find(
          (span) => span.name === "resume client" && span.resource["service.instance.id"] === "pod-b",
        ),
      "pod-b's resume span",
      10_000,
    );
    expect(resume.links).toEqual(
      expect.arrayContaining(
        publishes.map((publish) => ({ traceId: publish.traceId, spanId: publish.spanId })),
      ),
    );
  });
});

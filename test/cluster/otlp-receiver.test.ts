// The loopback OTLP/HTTP receiver: what `crosspod run --traces` accepts and what it refuses, and why.
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { type OtlpReceiver, startOtlpReceiver } from "../../lib/cluster/otlp-receiver.js";

const body = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "crosspod-backend" } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: "0AF7651916CD43DD8448EB211C80319C",
              spanId: "b7ad6b7169203331",
              parentSpanId: "",
              name: "publish threats",
              startTimeUnixNano: "1765000000123456789",
              // A number as some encoders write it; exact only below 2^53 ns, hence this small one.
              endTimeUnixNano: 1765000000124456,
              attributes: [
                { key: "crosspod.seq", value: { intValue: "42" } },
                { key: "crosspod.pod", value: { stringValue: "pod-a" } },
              ],
            },
          ],
        },
      ],
    },
  ],
};

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function post(path: string, payload: string | Buffer, headers: Record<string, string>) {
  const response = await fetch(`${receiver?.baseUrl}${path}`, { method: "POST", headers, body: payload });
  return { status: response.status, text: await response.text() };
}

describe("OTLP receiver", () => {
  it("reads an OTLP/JSON export, plain or gzipped, into spans with hex ids and epoch ms", async () => {
    receiver = await startOtlpReceiver();
    const json = JSON.stringify(body);
    expect((await post("/v1/traces", json, { "content-type": "application/json" })).status).toBe(200);
    const gzipped = gzipSync(json);
    const zipped = await post("/v1/traces", gzipped, {
      "content-type": "application/json; charset=utf-8",
      "content-encoding": "gzip",
    });
    expect(zipped.status).toBe(200);
    expect(receiver.spans).toHaveLength(2);
    expect(receiver.spans[0]).toEqual({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      parentSpanId: undefined,
      name: "publish threats",
      startMs: 1765000000123.456,
      endMs: 1765000000.124456,
      attributes: { "crosspod.seq": 42, "crosspod.pod": "pod-a" },
      resource: { "service.name": "crosspod-backend" },
      links: [],
    });
  });

  it("refuses other paths, methods, media types, malformed bodies and oversized ones with a reason", async () => {
    receiver = await startOtlpReceiver({ maxBodyBytes: 1024 });
    const json = { "content-type": "application/json" };
    expect((await post("/v1/metrics", "{}", json)).status).toBe(404);
    expect((await fetch(`${receiver.tracesUrl}`)).status).toBe(405);
    const protobuf = await post("/v1/traces", Buffer.from([10, 0]), {
      "content-type": "application/x-protobuf",
    });
    expect(protobuf).toMatchObject({ status: 415 });
    expect(protobuf.text).toContain("content-type must be one of: application/json");
    const broken = await post(
      "/v1/traces",
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}',
      json,
    );
    expect(broken.status).toBe(400);
    expect(broken.text).toContain("resourceSpans.0.scopeSpans.0.spans.0.traceId");
    expect((await post("/v1/traces", "{", json)).status).toBe(400);
    expect((await post("/v1/traces", "x".repeat(2048), json)).status).toBe(413);
    expect(receiver.spans).toHaveLength(0);
  });
});

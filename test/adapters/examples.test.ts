// The example target files a newcomer starts from must stay valid as the schema changes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadTarget } from "../../lib/core/target-file.js";

function example(name: string) {
  return loadTarget(parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), "utf8")), {});
}

describe("example target files", () => {
  it("describe the seed-style SOC backend with publisher accounting", () => {
    const { adapter, pods } = example("seed-soc-target.yaml");
    expect(adapter.kind).toBe("generic-json");
    expect(adapter.accounting).toBe("publisher");
    expect(pods.map((pod) => pod.name)).toEqual(["soc-a", "soc-b", "soc-c"]);
    const frame = adapter.readFrame(
      JSON.stringify({
        type: "new_threat",
        data: {
          id: "t1",
          timestamp: "2026-01-01T00:00:00.000Z",
          description: 'crosspod load test {"run":"r","publisher":"p","n":1,"t":2}',
        },
      }),
    );
    expect(frame).toMatchObject({ type: "delivery", id: "t1", probe: { n: 1 } });
  });

  it("describe a Socket.IO backend and the reference backend", () => {
    expect(example("socketio-target.yaml").adapter.kind).toBe("socketio");
    expect(example("crosspod-target.yaml").adapter.accounting).toBe("seq");
  });
});

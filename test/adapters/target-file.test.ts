import { describe, expect, it } from "vitest";
import { loadTarget, parseTargetFile } from "../../lib/core/target-file.js";

const valid = {
  adapter: "generic-json",
  pods: [{ name: "a", url: "http://127.0.0.1:1", ws: "ws://127.0.0.1:1/ws" }],
  trigger: { path: "/t", body: { d: "{{probe}}" } },
  frames: { probe: "d" },
};

function errorOf(value: unknown): string {
  try {
    loadTarget(value, {});
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
}

describe("target file", () => {
  it("accepts a minimal generic-json target and fills in the defaults", () => {
    const file = parseTargetFile(valid);
    expect(file).toMatchObject({
      adapter: "generic-json",
      trigger: { method: "POST", accept: [200, 201, 202, 204], headers: {} },
      frames: { delivery: [], ignore: [] },
    });
  });

  it("names the field that is wrong", () => {
    expect(errorOf({ ...valid, adapter: "mqtt" })).toMatch(/^adapter: expected adapter: "crosspod"/);
    expect(errorOf({ ...valid, pods: [{ name: "a", url: "127.0.0.1:1", ws: "ws://h/ws" }] })).toMatch(
      /^pods\[0\]\.url: expected a URL starting with http:\/\/ or https:\/\/, e\.g\. a base URL/,
    );
    expect(errorOf({ ...valid, pods: [{ name: "a", url: "http://h:1", ws: "http://h:1/ws" }] })).toMatch(
      /^pods\[0\]\.ws: expected a URL starting with ws:\/\/ or wss:\/\/, e\.g\. a WebSocket URL/,
    );
  });

  it("refuses URLs whose host or port cannot be parsed, naming the field (D1)", () => {
    const pod = valid.pods[0];
    expect(errorOf({ ...valid, pods: [{ ...pod, url: "http://127.0.0.1:8081x" }] })).toMatch(
      /^pods\[0\]\.url: "127\.0\.0\.1:8081x" is not a host\[:port\]/,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an unexpanded placeholder is the hostile input
    expect(errorOf({ ...valid, pods: [{ ...pod, ws: "ws://127.0.0.1:${P1}/ws" }] })).toMatch(
      /^pods\[0\]\.ws: "127\.0\.0\.1:\$\{P1\}" is not a host\[:port\]/,
    );
    expect(errorOf({ ...valid, pods: [{ ...pod, url: "http://127.0.0.1:70000" }] })).toMatch(
      /^pods\[0\]\.url: port 70000 is out of range/,
    );
    expect(errorOf({ ...valid, pods: [{ ...pod, url: "http://user:secret@127.0.0.1:1" }] })).toMatch(
      /^pods\[0\]\.url: credentials in the URL are not accepted/,
    );
    expect(errorOf({ ...valid, pods: [{ ...pod, url: "http://user:secret@127.0.0.1:1" }] })).not.toContain(
      "secret",
    );
    for (const url of ["http://[::1]:8080", "https://pod-a.svc.cluster.local/base", "http://localhost"]) {
      expect(errorOf({ ...valid, pods: [{ ...pod, url }] })).toBe("no error");
    }
    expect(errorOf({ ...valid, pods: [{ ...pod, ws: "wss://h.example:443/ws?x=1" }] })).toBe("no error");
    expect(errorOf({ ...valid, trigger: { path: "t" } })).toMatch(
      /^trigger\.path: expected a path starting with \//,
    );
    expect(errorOf({ ...valid, frames: { probe: "d", publishedAt: { path: "x", unit: "hours" } } })).toMatch(
      /^frames\.publishedAt\.unit: expected one of ms, s, us, iso/,
    );
    expect(errorOf({ ...valid, frames: { probe: "d", ignore: [{ path: "type" }] } })).toMatch(
      /^frames\.ignore\[0\]\.equals: /,
    );
    expect(errorOf({ ...valid, frames: { probe: "d", bogus: 1 } })).toMatch(/^frames: .*bogus/);
  });

  it("names paths, placeholders and pods that cannot work", () => {
    expect(errorOf({ ...valid, frames: { probe: "data..probe" } })).toMatch(
      /^frames\.probe: path "data\.\.probe" is malformed/,
    );
    expect(errorOf({ ...valid, trigger: { path: "/t", body: { d: "{{probe.x}}" } } })).toMatch(
      /^trigger\.body\.d: unknown placeholder \{\{probe\.x\}\}/,
    );
    expect(errorOf({ ...valid, trigger: { path: "/t", body: { d: "no probe" } } })).toMatch(
      /^trigger\.body: has no \{\{probe\}\} placeholder/,
    );
    expect(errorOf({ ...valid, frames: {} })).toMatch(/^frames\.probe: is required without a seq/);
    expect(errorOf({ ...valid, pods: [valid.pods[0], valid.pods[0]] })).toMatch(
      /^pods\[1\]\.name: "a" is used twice/,
    );
  });

  it("builds a socketio target's Engine.IO WebSocket URLs from the pods' base URLs", () => {
    const { adapter, pods } = loadTarget(
      {
        adapter: "socketio",
        pods: [{ name: "io-a", url: "http://127.0.0.1:3000" }],
        trigger: { path: "/api/threats/trigger", body: { probe: "{{probe}}" } },
        socketio: {
          event: "threat",
          payload: { probe: "threat.probe", publishedAt: { path: "published_at" } },
        },
      },
      {},
    );
    expect(adapter.kind).toBe("socketio");
    expect(adapter.accounting).toBe("publisher");
    expect(pods[0]?.wsUrl).toBe("ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket");
  });

  it("takes crosspod pods by URL and their names from each pod's hello", () => {
    const { adapter, pods } = loadTarget(
      { adapter: "crosspod", pods: [{ url: "http://127.0.0.1:8080" }] },
      {},
    );
    expect(adapter.kind).toBe("crosspod");
    expect(pods).toEqual([
      { name: "http://127.0.0.1:8080", httpUrl: "http://127.0.0.1:8080", wsUrl: "ws://127.0.0.1:8080/ws" },
    ]);
  });
});

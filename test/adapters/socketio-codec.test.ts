import { describe, expect, it } from "vitest";
import { socketIoAdapter } from "../../lib/core/adapters/socketio-adapter.js";
import { decodeSocketIoFrame, encodeConnect } from "../../lib/core/adapters/socketio-codec.js";

describe("Socket.IO wire framing", () => {
  it("decodes Engine.IO open, ping and close, and Socket.IO connect, event and connect_error", () => {
    expect(decodeSocketIoFrame('0{"sid":"e1","pingInterval":25000}', "/")).toEqual({ kind: "open" });
    expect(decodeSocketIoFrame("2", "/")).toEqual({ kind: "ping" });
    expect(decodeSocketIoFrame("1", "/")).toEqual({ kind: "close" });
    expect(decodeSocketIoFrame('40{"sid":"s1","pid":"p1"}', "/")).toEqual({
      kind: "connect",
      sid: "s1",
      pid: "p1",
    });
    expect(decodeSocketIoFrame('42["threat",{"a":1},"1-0"]', "/")).toEqual({
      kind: "event",
      name: "threat",
      args: [{ a: 1 }, "1-0"],
    });
    expect(decodeSocketIoFrame('44{"message":"not authorized"}', "/")).toEqual({
      kind: "connect-error",
      message: "not authorized",
    });
  });

  it("reads only the namespace it was given, and skips an ack id", () => {
    expect(decodeSocketIoFrame('42/soc,["threat",1]', "/soc")).toEqual({
      kind: "event",
      name: "threat",
      args: [1],
    });
    expect(decodeSocketIoFrame('42/other,["threat",1]', "/soc")).toMatchObject({
      kind: "other",
      quiet: true,
    });
    expect(decodeSocketIoFrame('42["threat",1]', "/soc")).toMatchObject({ kind: "other", quiet: true });
    expect(decodeSocketIoFrame('4212["threat",1]', "/")).toEqual({
      kind: "event",
      name: "threat",
      args: [1],
    });
  });

  it("encodes a fresh connect and one that asks to recover a session", () => {
    expect(encodeConnect("/", undefined)).toBe("40");
    expect(encodeConnect("/soc", { pid: "p1", offset: "5-0" })).toBe('40/soc,{"pid":"p1","offset":"5-0"}');
  });
});

describe("socketio adapter", () => {
  const adapter = socketIoAdapter({
    event: "threat",
    namespace: "/",
    recovery: true,
    payload: {
      id: "id",
      probe: "threat.probe",
      publishedAt: { path: "published_at", unit: "ms" },
      origin: "pod_origin",
    },
    trigger: {
      method: "POST",
      path: "/t",
      headers: {},
      body: { probe: "{{probe}}" },
      acceptedStatus: [202],
      response: {},
    },
  });
  const probe = { run: "r", publisher: "p", n: 2, t: 1 };

  it("answers pings, treats the CONNECT ack as the hello and reads an event's payload and offset", () => {
    expect(adapter.readFrame("2")).toEqual({ type: "ping", reply: "3" });
    expect(adapter.readFrame('40{"sid":"s","pid":"p9"}')).toEqual({
      type: "hello",
      pod: undefined,
      seq: undefined,
      epoch: "",
      resume: true,
      session: "p9",
    });
    const text = `42${JSON.stringify(["threat", { id: "x", pod_origin: "io-b", published_at: 10, threat: { probe } }, "17-3"])}`;
    expect(adapter.readFrame(text)).toEqual({
      type: "delivery",
      id: "x",
      seq: undefined,
      publishedAtMs: 10,
      podOrigin: "io-b",
      probe,
      offset: "17-3",
    });
    expect(adapter.readFrame('42["other",{}]')).toEqual({ type: "ignored" });
    expect(adapter.readFrame('44{"message":"no"}')).toEqual({ type: "refused", reason: "connect_error: no" });
  });

  it("asks to recover with the previous pid and the last offset once it has both", () => {
    expect(adapter.openingFrames(undefined)).toEqual(["40"]);
    expect(adapter.openingFrames({ session: "p9" })).toEqual(["40"]);
    expect(adapter.openingFrames({ session: "p9", offset: "17-3" })).toEqual([
      '40{"pid":"p9","offset":"17-3"}',
    ]);
  });
});

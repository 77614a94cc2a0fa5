// Subscribers for the Socket.IO peer, speaking Engine.IO v4 over a raw WebSocket (open "0", connect
// "40", events "42[name, data]", ping "2" → pong "3"): as lean per frame as the Node engine's reader, so
// the comparison measures the servers, not socket.io-client. Socket.IO gives no seq: each connection's
// DeliveryChecker judges order and loss per publisher from the probe's n.
import WebSocket from "ws";
import {
  addDelivery,
  DeliveryChecker,
  emptyDelivery,
  type PublishedTrigger,
} from "../lib/core/delivery-checker.js";
import { LatencyHistogram } from "../lib/core/latency-histogram.js";
import { isProbe } from "../lib/core/probe.js";
import type { DeliveryFigures } from "../lib/core/report-model.js";
import { epochNowMs } from "../lib/engine/clock.js";
import { waitUntil } from "../lib/engine/wait-until.js";
import type { FleetWindow, SubscriberFleet } from "./subscriber-fleet.js";

const rampTickMs = 10;

export class SocketIoFleet implements SubscriberFleet {
  connected = 0;
  framesReceived = 0;
  invalidFrames = 0;
  private framesAtWindow = 0;
  private window = new LatencyHistogram();
  private readonly sockets: WebSocket[] = [];
  private readonly checkers: DeliveryChecker[] = [];

  constructor(
    private readonly runId: string,
    private readonly urls: readonly string[],
    private readonly connections: number,
    private readonly rampSeconds: number,
    private readonly eventName = "threat",
  ) {}

  async open(timeoutMs: number): Promise<number> {
    const startedAt = performance.now();
    const rampMs = this.rampSeconds * 1000;
    while (this.sockets.length < this.connections) {
      const due =
        rampMs <= 0
          ? this.connections
          : Math.min(
              this.connections,
              Math.floor(((performance.now() - startedAt) / rampMs) * this.connections) + 1,
            );
      while (this.sockets.length < due)
        this.connect(this.urls[this.sockets.length % this.urls.length] as string);
      if (this.sockets.length < this.connections) await new Promise((r) => setTimeout(r, rampTickMs));
    }
    await waitUntil(() => this.connected >= this.connections, { timeoutMs });
    return this.connected;
  }

  takeWindow(): FleetWindow {
    const window = { frames: this.framesReceived - this.framesAtWindow, fanout: this.window };
    this.framesAtWindow = this.framesReceived;
    this.window = new LatencyHistogram();
    return window;
  }

  finish(published: readonly PublishedTrigger[]): DeliveryFigures {
    const total = emptyDelivery();
    for (const checker of this.checkers) addDelivery(total, checker.finish(published));
    return total;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.close(1000);
    const closed = await waitUntil(() => this.sockets.every((ws) => ws.readyState === WebSocket.CLOSED), {
      timeoutMs: 5_000,
    });
    if (!closed) for (const ws of this.sockets) ws.terminate();
  }

  private connect(baseUrl: string): void {
    const url = `${baseUrl.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    const checker = new DeliveryChecker("publisher", { runId: this.runId });
    this.sockets.push(ws);
    this.checkers.push(checker);
    const prefix = `42["${this.eventName}",`;
    let up = false;
    ws.on("message", (data: Buffer) => {
      const atMs = epochNowMs();
      const text = data.toString();
      if (text.startsWith(prefix)) {
        this.onEvent(checker, text.slice(prefix.length, -1), atMs);
      } else if (text === "2") {
        ws.send("3");
      } else if (text.startsWith("0")) {
        ws.send("40");
      } else if (text.startsWith("40")) {
        up = true;
        this.connected++;
        checker.connected(atMs);
      }
    });
    ws.on("close", () => {
      if (!up) return;
      up = false;
      this.connected--;
      checker.disconnected(epochNowMs());
    });
    ws.on("error", () => {});
  }

  private onEvent(checker: DeliveryChecker, json: string, atMs: number): void {
    let frame: { published_at?: unknown; threat?: { probe?: unknown } };
    try {
      frame = JSON.parse(json);
    } catch {
      this.invalidFrames++;
      return;
    }
    const probe = frame.threat?.probe;
    if (typeof frame.published_at !== "number" || !isProbe(probe)) {
      this.invalidFrames++;
      return;
    }
    this.framesReceived++;
    checker.receive({ probe }, atMs);
    this.window.recordMs(atMs - frame.published_at);
  }
}

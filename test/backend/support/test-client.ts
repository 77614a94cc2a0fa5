// A real WebSocket client for backend tests: records every frame and the close, and waits for them.

import { WebSocket } from "ws";
import type { ServerFrame, ThreatFrame } from "../../../lib/core/threat-protocol.js";
import { waitFor } from "./wait-for.js";

export interface Closed {
  code: number;
  reason: string;
}

export class TestClient {
  readonly frames: ServerFrame[] = [];
  /** Receive time of each frame, epoch milliseconds with sub-millisecond resolution. */
  readonly receivedAtMs: number[] = [];
  closed: Closed | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.receivedAtMs.push(performance.timeOrigin + performance.now());
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
    ws.on("error", () => {});
  }

  /** Opens a connection and resolves once the hello frame has arrived. */
  static async connect(url: string, options: { autoPong?: boolean } = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { autoPong: options.autoPong ?? true });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused with ${res.statusCode}`)),
      );
    });
    await client.waitFor(() => client.frames[0]?.type === "hello", "the hello frame");
    return client;
  }

  get hello() {
    const first = this.frames[0];
    if (first?.type !== "hello") throw new Error("no hello frame received");
    return first;
  }

  threats(): ThreatFrame[] {
    return this.frames.filter((frame): frame is ThreatFrame => frame.type === "threat");
  }

  /** When the threat with `seq` arrived, in epoch milliseconds. */
  receivedAt(seq: number): number {
    const index = this.frames.findIndex((frame) => frame.type === "threat" && frame.seq === seq);
    const at = this.receivedAtMs[index];
    if (at === undefined) throw new Error(`threat ${seq} was not received`);
    return at;
  }

  seqs(): number[] {
    return this.threats().map((frame) => frame.seq);
  }

  waitFor<T>(probe: () => T | undefined | false, description: string, timeoutMs = 5000): Promise<T> {
    return waitFor(probe, description, timeoutMs);
  }

  waitForThreats(count: number, timeoutMs = 5000): Promise<ThreatFrame[]> {
    return this.waitFor(
      () => this.threats().length >= count && this.threats(),
      `${count} threat frames (have ${this.threats().length})`,
      timeoutMs,
    );
  }

  waitForClose(timeoutMs = 5000): Promise<Closed> {
    return this.waitFor(() => this.closed, "the connection to close", timeoutMs);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.waitFor(() => this.ws.readyState === WebSocket.CLOSED, "the client socket to close").catch(
      () => this.ws.terminate(),
    );
  }
}

/** Sends an HTTP upgrade to `url` and resolves with the refusal's status and JSON body. */
export function refusedUpgrade(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("error", () => {});
    ws.once("open", () => {
      ws.terminate();
      reject(new Error(`upgrade to ${url} was accepted`));
    });
    ws.once("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

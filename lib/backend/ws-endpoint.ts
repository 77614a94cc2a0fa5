// The WebSocket endpoint GET /ws?since=SEQ&epoch=E: validates the upgrade, hands accepted sockets to the
// hub, polices what clients send, and runs the heartbeat. Rejections go through abortHandshake.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { clientFrameSchema, closeCodes, type PongFrame } from "../core/threat-protocol.js";
import { abortHandshake } from "./abort-handshake.js";
import type { FanoutHub } from "./fanout-hub.js";
import { startHeartbeat } from "./heartbeat.js";
import { invalidUrlMessage, parseRequestUrl } from "./http-router.js";
import { seqPattern } from "./seq-query.js";

export interface WsEndpointOptions {
  hub: FanoutHub;
  maxPayloadBytes: number;
  heartbeatMs: number;
  isDraining: () => boolean;
  logger: Logger;
}

export interface WsEndpoint {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

const epochPattern = /^[A-Za-z0-9-]{1,64}$/;
const keyPattern = /^[+/0-9A-Za-z]{22}==$/;
const pong = JSON.stringify({ type: "pong" } satisfies PongFrame);

export function createWsEndpoint(options: WsEndpointOptions): WsEndpoint {
  const { hub, logger } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: true,
  });
  const stopHeartbeat = startHeartbeat(wss.clients, options.heartbeatMs);

  function onClientFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      ws.close(closeCodes.policyViolation, "binary frames are not accepted");
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(data.toString());
    } catch {
      ws.close(closeCodes.policyViolation, "client frames must be JSON");
      return;
    }
    if (!clientFrameSchema.safeParse(value).success) {
      ws.close(closeCodes.policyViolation, 'unknown client frame; only {"type":"ping"} is accepted');
      return;
    }
    ws.send(pong);
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // node:http drops its error listener from an upgraded socket; a reset mid-handshake must not crash us.
    socket.on("error", (error) => logger.debug({ err: error }, "upgrade socket error"));
    const url = parseRequestUrl(req.url);
    if (url === undefined) {
      abortHandshake(socket, 400, "invalid_url", invalidUrlMessage, "url");
      return;
    }
    if (url.pathname !== "/ws") {
      abortHandshake(socket, 404, "not_found", `no WebSocket endpoint at ${url.pathname}; use /ws`);
      return;
    }
    if (options.isDraining()) {
      abortHandshake(
        socket,
        503,
        "draining",
        "this pod is shutting down; connect to another one",
        undefined,
        {
          "Retry-After": "1",
        },
      );
      return;
    }
    if (!hub.accepting) {
      abortHandshake(socket, 503, "not_ready", "this pod has not reached Redis yet", undefined, {
        "Retry-After": "1",
      });
      return;
    }
    if (req.method !== "GET" || (req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
      abortHandshake(socket, 400, "bad_upgrade", "expected a GET with Upgrade: websocket", "upgrade");
      return;
    }
    if (req.headers["sec-websocket-version"] !== "13") {
      abortHandshake(
        socket,
        426,
        "bad_upgrade",
        "only WebSocket version 13 is supported",
        "sec-websocket-version",
        {
          "Sec-WebSocket-Version": "13",
        },
      );
      return;
    }
    if (!keyPattern.test(req.headers["sec-websocket-key"] ?? "")) {
      abortHandshake(
        socket,
        400,
        "bad_upgrade",
        "Sec-WebSocket-Key is missing or malformed",
        "sec-websocket-key",
      );
      return;
    }
    const sinceText = url.searchParams.get("since");
    if (sinceText !== null && !seqPattern.test(sinceText)) {
      abortHandshake(socket, 400, "invalid_query", "since must be a non-negative integer seq", "since");
      return;
    }
    const epoch = url.searchParams.get("epoch");
    if (epoch !== null && !epochPattern.test(epoch)) {
      abortHandshake(socket, 400, "invalid_query", "epoch must be 1-64 letters, digits or '-'", "epoch");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // ws closes with 1009 by itself when a frame exceeds maxPayload; the error is reported here.
      ws.on("error", (error) => logger.debug({ err: error }, "client socket error"));
      ws.on("message", (data, isBinary) => onClientFrame(ws, data, isBinary));
      hub.add(ws, sinceText === null ? undefined : Number(sinceText), epoch ?? undefined, socket);
    });
  }

  return {
    handleUpgrade,
    /** Stops the heartbeat and destroys sockets still open (the hub has already closed its clients). */
    close() {
      stopHeartbeat();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

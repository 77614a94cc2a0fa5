// The one way a WebSocket upgrade is refused: a complete HTTP response with a JSON error body on the
// raw socket, then close. Every rejected upgrade goes through here (as in ws's websocket-server.js).
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { errorBody } from "./http-response.js";

export function abortHandshake(
  socket: Duplex,
  status: number,
  code: string,
  message: string,
  field?: string,
  headers: Record<string, string> = {},
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(code, message, field));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
    "Connection: close",
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.once("finish", () => socket.destroy());
  socket.end(`${head.join("\r\n")}\r\n\r\n${body}`);
}

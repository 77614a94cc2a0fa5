// The answer to a request node:http could not parse or did not receive in time (its `clientError` event):
// the status a client can act on with the uniform JSON error body, written straight to the socket because
// no ServerResponse exists yet. Mirrors node's own default (400/408/413/431) plus the JSON body; a socket
// already answering a request, or already gone, is only closed.
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { errorBody } from "./http-response.js";

interface ClientErrorAnswer {
  status: number;
  reason: string;
  code: string;
  message: string;
  field?: string;
}

function answerFor(error: NodeJS.ErrnoException, limits: ClientErrorLimits): ClientErrorAnswer {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        reason: "Request Header Fields Too Large",
        code: "headers_too_large",
        message: `the request line and headers are larger than ${limits.maxHeaderBytes} bytes`,
        field: "headers",
      };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return {
        status: 408,
        reason: "Request Timeout",
        code: "request_timeout",
        message: `the request was not received completely within ${limits.requestTimeoutMs} ms`,
      };
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return {
        status: 413,
        reason: "Payload Too Large",
        code: "body_too_large",
        message: "chunk extensions are too large",
        field: "body",
      };
    default:
      return {
        status: 400,
        reason: "Bad Request",
        code: "malformed_request",
        message: `the request is not valid HTTP/1.1 (${error.code ?? "parse error"})`,
      };
  }
}

export interface ClientErrorLimits {
  maxHeaderBytes: number;
  requestTimeoutMs: number;
}

/** Handler for node:http's `clientError`: answers and closes the socket; never throws. */
export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  limits: ClientErrorLimits,
  logger: Logger,
): void {
  // node's own handler checks the same: a response that has started must not get a second one.
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const answer = answerFor(error, limits);
  logger.debug({ code: error.code, status: answer.status }, "malformed or incomplete HTTP request");
  const body = JSON.stringify(errorBody(answer.code, answer.message, answer.field));
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Cache-Control: no-store\r\nConnection: close\r\n\r\n" +
      body,
  );
  // end() flushes the answer; a client that never reads must not keep the socket open.
  setTimeout(() => socket.destroy(), 1000).unref();
}

// Writing JSON responses and the uniform error body.
import type { ServerResponse } from "node:http";
import type { ErrorResponse } from "../core/threat-protocol.js";
import type { HttpError } from "./http-error.js";

/** `body` is an object to serialize or an already serialized JSON string (sent as is). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

export function errorBody(code: string, message: string, field?: string): ErrorResponse {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, errorBody(error.code, error.message, error.field), error.headers);
}

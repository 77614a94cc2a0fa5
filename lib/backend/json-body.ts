// Reading a request body as JSON within a byte limit: 413 over the limit, 415 for a non-JSON media
// type, 400 for malformed JSON. An empty body is allowed (and means "no body") whatever its type.
import type { IncomingMessage } from "node:http";
import { HttpError } from "./http-error.js";

function isJsonMediaType(header: string | undefined): boolean {
  const type = (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, "body_too_large", `the body is larger than ${maxBytes} bytes`, "body", {
    Connection: "close",
  });
}

function unsupported(header: string | undefined): HttpError {
  return new HttpError(
    415,
    "unsupported_media_type",
    `the body must be application/json, not ${header ?? "untyped"}`,
    "content-type",
    { Connection: "close" },
  );
}

/** Resolves to the parsed body, or undefined for an empty one. Never reads more than maxBytes. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const contentType = req.headers["content-type"];
  const declared =
    req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
  if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes);
  if (declared !== undefined && declared > 0 && !isJsonMediaType(contentType)) throw unsupported(contentType);

  const { chunks, size } = await collect(req, maxBytes);
  if (size === 0) return undefined;
  if (!isJsonMediaType(contentType)) throw unsupported(contentType);
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString("utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, "invalid_json", `the body is not valid JSON: ${reason}`, "body");
  }
}

/**
 * Collects the body, rejecting as soon as it passes maxBytes. Not `for await`: leaving that loop early
 * destroys the socket, and the client would get a reset instead of the 413. The caller's error path
 * keeps draining the rest (req.resume()) while the response goes out with Connection: close.
 */
function collect(req: IncomingMessage, maxBytes: number): Promise<{ chunks: Buffer[]; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ chunks, size });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

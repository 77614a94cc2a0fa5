// The optional bearer token for writes. Compared in constant time (over fixed-length digests, so not
// even the token's length leaks).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./http-error.js";

const challenge = { "WWW-Authenticate": 'Bearer realm="crosspod"' };

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Throws 401 unless `req` carries `Authorization: Bearer <token>`; no-op when no token is configured. */
export function requireBearer(req: IncomingMessage, token: string | undefined): void {
  if (token === undefined) return;
  const header = req.headers.authorization;
  if (header === undefined) {
    throw new HttpError(
      401,
      "unauthorized",
      "this pod needs Authorization: Bearer <token>",
      "authorization",
      challenge,
    );
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match || !timingSafeEqual(digest(match[1] ?? ""), digest(token))) {
    throw new HttpError(401, "unauthorized", "the bearer token is wrong", "authorization", challenge);
  }
}

// The pods a k6 run talks to, from TARGETS: comma-separated base URLs (http://host:port), the same list the
// Node engine's --targets takes. Pod names come from each pod's hello frame (see k6-discovery.ts).
// No URL class here: k6 has none, so a base URL is checked by hand; the crosspod protocol adapter
// (lib/core/adapters) builds the WebSocket and trigger URLs from it.
import { CrosspodError } from "../../lib/core/crosspod-error.js";

export class TargetsError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_TARGETS";
  override readonly kind = "usage";
}

const baseUrlPattern = /^https?:\/\/[^/\s?#]+(\/[^\s?#]*)?$/;

/** Base URLs without trailing slashes, in the order given (round-robin follows it). */
export function parseTargets(text: string | undefined): string[] {
  if (text === undefined || text.trim() === "") {
    throw new TargetsError(
      "TARGETS is not set: give the pods' base URLs, comma-separated, e.g. TARGETS=http://127.0.0.1:8081,http://127.0.0.1:8082",
    );
  }
  const urls = text
    .split(",")
    .map((entry) => entry.trim().replace(/\/+$/, ""))
    .filter(Boolean);
  for (const url of urls) {
    if (!baseUrlPattern.test(url)) {
      throw new TargetsError(`TARGETS entry "${url}" is not a base URL: expected http(s)://host:port`);
    }
  }
  if (new Set(urls).size !== urls.length) {
    throw new TargetsError(`TARGETS "${text}" lists the same URL twice: each pod must appear once`);
  }
  return urls;
}

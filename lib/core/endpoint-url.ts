// Syntax checks for the pod URLs users give (target files, --targets), done by pattern rather than the URL
// class because lib/core also runs in k6, which has no URL global. A URL that passes here is one WHATWG URL
// parsing accepts with the same host and port, so nothing later fails on it with a stack trace; credentials
// in a URL are refused (they belong in environment variables) and never echoed.

const hostLabel = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const host = `(?:${hostLabel}(?:\\.${hostLabel})*\\.?|\\[[0-9A-Fa-f:.]{2,45}\\])`;
const authority = new RegExp(`^(${host})(?::(\\d{1,5}))?$`);

export type UrlScheme = "http" | "https" | "ws" | "wss";

/**
 * Why `text` is not a usable `<scheme>://host[:port][/path]` URL for one of `schemes`, or undefined when it
 * is. `query` allows a query string (WebSocket URLs may carry one; base URLs may not).
 */
export function endpointUrlProblem(
  text: string,
  schemes: readonly UrlScheme[],
  options: { query: boolean } = { query: false },
): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined || !(schemes as readonly string[]).includes(scheme)) {
    return `expected a URL starting with ${schemes.map((name) => `${name}://`).join(" or ")}`;
  }
  const rest = text.slice(scheme.length + 3);
  const end = rest.search(/[/?#]/);
  const hostPort = end === -1 ? rest : rest.slice(0, end);
  const tail = end === -1 ? "" : rest.slice(end);
  if (hostPort.includes("@")) {
    return "credentials in the URL are not accepted: put them in an environment variable (see auth)";
  }
  const match = authority.exec(hostPort);
  if (!match) return `"${hostPort}" is not a host[:port]`;
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return `port ${port} is out of range: expected 1 to 65535`;
  }
  if (/[\s\\]/.test(tail) || tail.includes("#")) return "the path has spaces, a backslash or a #fragment";
  if (!options.query && tail.includes("?")) return "expected no query string on a base URL";
  return undefined;
}

/** `text` with any `user:password@` part of URLs in it replaced by `***@`, for messages. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/(\/\/)[^/?#\s@]*@/g, "$1***@");
}

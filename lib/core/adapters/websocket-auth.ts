// WebSocket authentication for targets, the way triggers already authenticate: the credential comes from an
// environment variable named in the target file (never the value itself), and goes into the handshake as a
// header or cookie, into the URL's query, or into the first message sent after connect. Runtime-neutral:
// the adapter applies the URL and message parts; the engine's dial sends the headers.

export type WebSocketAuth =
  | { kind: "header"; name: string; value: string }
  | { kind: "cookie"; name: string; value: string }
  | { kind: "query"; name: string; value: string }
  /** `text` is the first message with the credential in place of {{token}}. */
  | { kind: "message"; text: string };

export const tokenPlaceholder = "{{token}}";

/** `wsUrl` with the credential appended as a query parameter when that is where it goes. */
export function withAuthQuery(wsUrl: string, auth: WebSocketAuth | undefined): string {
  if (auth?.kind !== "query") return wsUrl;
  const separator = wsUrl.includes("?") ? "&" : "?";
  return `${wsUrl}${separator}${encodeURIComponent(auth.name)}=${encodeURIComponent(auth.value)}`;
}

/** Handshake headers the credential needs (none for query and message). */
export function authHeaders(auth: WebSocketAuth | undefined): Record<string, string> {
  if (auth?.kind === "header") return { [auth.name]: auth.value };
  if (auth?.kind === "cookie") return { cookie: `${auth.name}=${auth.value}` };
  return {};
}

/** Messages to send first after connect for the credential. */
export function authMessages(auth: WebSocketAuth | undefined): string[] {
  return auth?.kind === "message" ? [auth.text] : [];
}

// Builds the protocol adapter and pods a validated target file describes (target-file.ts validates it).
// Kept apart from the zod schema: k6 scenarios receive the file already validated by crosspod, as JSON in
// CROSSPOD_TARGET, and build their adapter here without bundling zod.
import { AdapterError } from "./adapters/adapter-error.js";
import { crosspodAdapter, crosspodWebSocketUrl } from "./adapters/crosspod-adapter.js";
import { genericJsonAdapter } from "./adapters/generic-json-adapter.js";
import type { AdapterPod, Target } from "./adapters/protocol-adapter.js";
import { socketIoAdapter, socketIoWebSocketUrl } from "./adapters/socketio-adapter.js";
import type { TriggerTemplate } from "./adapters/trigger-template.js";
import { tokenPlaceholder, type WebSocketAuth } from "./adapters/websocket-auth.js";
import type { TargetFile, TriggerFile, WebsocketFile } from "./target-file.js";

function secret(
  env: Record<string, string | undefined>,
  name: string,
  field: string,
  holds = "the trigger's credential",
): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new AdapterError(field, `environment variable ${name} is not set (it holds ${holds})`);
  }
  return value;
}

/** websocket.auth with its credential read from the environment. */
function webSocketAuth(
  websocket: WebsocketFile | undefined,
  env: Record<string, string | undefined>,
): { webSocketAuth: WebSocketAuth } | Record<string, never> {
  const auth = websocket?.auth;
  if (auth === undefined) return {};
  const value = auth.prefix + secret(env, auth.env, "websocket.auth.env", "the WebSocket credential");
  if (auth.header !== undefined) return { webSocketAuth: { kind: "header", name: auth.header, value } };
  if (auth.cookie !== undefined) return { webSocketAuth: { kind: "cookie", name: auth.cookie, value } };
  if (auth.query !== undefined) return { webSocketAuth: { kind: "query", name: auth.query, value } };
  const text = (auth.message ?? tokenPlaceholder).replaceAll(tokenPlaceholder, value);
  return { webSocketAuth: { kind: "message", text } };
}

function uniquePods(pods: AdapterPod[]): AdapterPod[] {
  const seen = new Set<string>();
  pods.forEach((pod, i) => {
    if (seen.has(pod.name))
      throw new AdapterError(`pods[${i}].name`, `"${pod.name}" is used twice: each pod needs its own name`);
    seen.add(pod.name);
  });
  return pods;
}

function triggerTemplate(file: TriggerFile, env: Record<string, string | undefined>): TriggerTemplate {
  const { auth, accept, ...template } = file;
  return {
    ...template,
    acceptedStatus: accept,
    ...(auth
      ? { auth: { header: auth.header, value: auth.prefix + secret(env, auth.env, "trigger.auth.env") } }
      : {}),
  };
}

/** The adapter and pods a validated target file describes; `env` supplies credentials named in it. */
export function targetFromFile(file: TargetFile, env: Record<string, string | undefined>): Target {
  switch (file.adapter) {
    case "crosspod": {
      const authToken = file.authEnv === undefined ? undefined : secret(env, file.authEnv, "authEnv");
      return {
        adapter: crosspodAdapter(authToken === undefined ? {} : { authToken }),
        pods: file.pods.map((pod) => ({
          name: pod.url,
          httpUrl: pod.url,
          wsUrl: crosspodWebSocketUrl(pod.url),
        })),
      };
    }
    case "generic-json": {
      return {
        adapter: genericJsonAdapter({
          trigger: triggerTemplate(file.trigger, env),
          frames: file.frames,
          ...(file.subscribe === undefined ? {} : { subscribe: file.subscribe }),
          ...webSocketAuth(file.websocket, env),
        }),
        pods: uniquePods(file.pods.map((pod) => ({ name: pod.name, httpUrl: pod.url, wsUrl: pod.ws }))),
      };
    }
    case "socketio": {
      const { path: socketPath, ...socketio } = file.socketio;
      if (file.websocket?.auth?.message !== undefined) {
        throw new AdapterError(
          "websocket.auth.message",
          "Socket.IO speaks Engine.IO first: authenticate with header, cookie or query",
        );
      }
      return {
        adapter: socketIoAdapter({
          ...socketio,
          trigger: triggerTemplate(file.trigger, env),
          ...webSocketAuth(file.websocket, env),
        }),
        pods: uniquePods(
          file.pods.map((pod) => ({
            name: pod.name,
            httpUrl: pod.url,
            wsUrl: socketIoWebSocketUrl(pod.url, socketPath),
          })),
        ),
      };
    }
  }
}

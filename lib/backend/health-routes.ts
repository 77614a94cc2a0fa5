// Probes and metrics: GET /healthz (the process answers), GET /readyz (Redis connected and subscribed,
// not draining), GET /metrics (Prometheus text from the pod's own registry), and /ws without upgrade.
import type { Registry, RegistryContentType } from "prom-client";
import { HttpError } from "./http-error.js";
import { errorBody, sendJson } from "./http-response.js";
import type { Route } from "./http-router.js";

export interface HealthRoutesOptions {
  podName: string;
  registry: Registry<RegistryContentType>;
  /** Why the pod cannot take traffic now, or undefined when it can. */
  notReadyReason: () => { code: string; message: string } | undefined;
  /** "host:port" of the Redis primary in use, shown on /readyz (it moves when Sentinel fails over). */
  redisPrimary?: () => string | undefined;
}

export function healthRoutes(options: HealthRoutesOptions): Route[] {
  return [
    {
      path: /^\/healthz$/,
      methods: { GET: ({ res }) => sendJson(res, 200, { status: "ok", pod: options.podName }) },
    },
    {
      path: /^\/readyz$/,
      methods: {
        GET: ({ res }) => {
          const reason = options.notReadyReason();
          if (reason) sendJson(res, 503, errorBody(reason.code, reason.message));
          else
            sendJson(res, 200, {
              status: "ready",
              pod: options.podName,
              redis_primary: options.redisPrimary?.() ?? null,
            });
        },
      },
    },
    {
      path: /^\/metrics$/,
      methods: {
        GET: async ({ res }) => {
          const text = await options.registry.metrics();
          res.writeHead(200, { "content-type": options.registry.contentType, "cache-control": "no-store" });
          res.end(text);
        },
      },
    },
    {
      path: /^\/ws$/,
      methods: {
        GET: () => {
          throw new HttpError(
            426,
            "upgrade_required",
            "/ws is a WebSocket endpoint; send Upgrade: websocket",
            "upgrade",
            {
              Upgrade: "websocket",
            },
          );
        },
      },
    },
  ];
}

// Starts reference-backend pods in this test process (startBackend) against one Redis, and stops them.
import { type RunningBackend, startBackend } from "../../../lib/backend/backend-server.js";
import { type BackendEnv, parseBackendEnv } from "../../../lib/backend/config.js";
import type { TriggerResponse } from "../../../lib/core/threat-protocol.js";
import { waitFor } from "../../fixtures/wait-for.js";

export interface Pod {
  name: string;
  port: number;
  http: string;
  ws: string;
  backend: RunningBackend;
}

type EnvOverrides = { [K in keyof BackendEnv]?: string };

export async function startPod(
  name: string,
  redisUrl: string,
  env: EnvOverrides = {},
  options: { waitForReady?: boolean } = {},
): Promise<Pod> {
  const config = parseBackendEnv({
    PORT: "0",
    POD_NAME: name,
    REDIS_URL: redisUrl,
    LOG_LEVEL: "silent",
    ...env,
  });
  const backend = await startBackend(config);
  const pod = {
    name,
    port: backend.port,
    http: `http://127.0.0.1:${backend.port}`,
    ws: `ws://127.0.0.1:${backend.port}/ws`,
    backend,
  };
  if (options.waitForReady ?? true) await waitUntilReady(pod);
  return pod;
}

export async function startPods(names: string[], redisUrl: string, env: EnvOverrides = {}): Promise<Pod[]> {
  return Promise.all(names.map((name) => startPod(name, redisUrl, env)));
}

export async function waitUntilReady(pod: Pod, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    async () => (await fetch(`${pod.http}/readyz`).catch(() => undefined))?.status === 200,
    `${pod.name} /readyz to answer 200`,
    timeoutMs,
  );
}

export async function stopPods(pods: (Pod | undefined)[]): Promise<void> {
  await Promise.all(pods.map((pod) => pod?.backend.close()));
}

export interface HttpReply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function request<T = unknown>(url: string, init: RequestInit = {}): Promise<HttpReply<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** POST /api/threats/trigger with an optional JSON body; returns the parsed reply whatever its status. */
export function trigger(pod: Pod, body?: unknown, headers: Record<string, string> = {}) {
  return request<TriggerResponse>(`${pod.http}/api/threats/trigger`, {
    method: "POST",
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function triggerAccepted(pod: Pod, body?: unknown): Promise<TriggerResponse> {
  const reply = await trigger(pod, body);
  if (reply.status !== 202)
    throw new Error(`trigger on ${pod.name} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

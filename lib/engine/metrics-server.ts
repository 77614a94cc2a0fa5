// Serves a Registry on http://127.0.0.1:<port>/metrics for the length of a run.

import { createServer } from "node:http";
import type { Registry, RegistryContentType } from "prom-client";
import { CrosspodError } from "../core/crosspod-error.js";

export class MetricsServerError extends CrosspodError {
  override readonly code = "CROSSPOD_METRICS_PORT";
  override readonly kind = "usage";
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(
  registry: Registry<RegistryContentType>,
  port: number,
  host = "127.0.0.1",
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { "content-type": registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new MetricsServerError(`--metrics-port ${port}: cannot listen on ${host}:${port} (${error.code})`),
      ),
    );
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://${host}:${bound}/metrics`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

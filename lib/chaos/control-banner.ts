// What `crosspod up --control-port` prints about chaos: where the control API listens, how to hand its
// URL and token to `crosspod chaos` and k6, and the fault links clients and pods go through.
import type { ChaosCluster } from "./chaos-cluster.js";
import type { ControlApi } from "./control-api.js";

export function controlBanner(
  chaos: ChaosCluster,
  api: ControlApi,
  token: string,
  tokenFromEnv: boolean,
): string {
  const shownToken = tokenFromEnv ? "$CROSSPOD_CONTROL_TOKEN" : token;
  const lines = [
    `chaos control API  ${api.url}  (POST /chaos {action, target, …}, GET /chaos/events; bearer token)`,
    `  export CROSSPOD_CONTROL_URL=${api.url} CROSSPOD_CONTROL_TOKEN=${shownToken}`,
    "  fault links (clients of <pod>@clients fail over to the other pods while it is down):",
  ];
  const width = Math.max(...[...chaos.links.keys()].map((name) => name.length));
  for (const [name, proxy] of [...chaos.links].sort(([a], [b]) => a.localeCompare(b))) {
    const address = `${proxy.host}:${proxy.port}`;
    const role = name.endsWith("@clients")
      ? `http://${address}  (point clients here)`
      : `redis://${address}  (the pod's REDIS_URL)`;
    lines.push(`    ${name.padEnd(width)}  ${role}`);
  }
  lines.push(
    "  e.g. crosspod chaos kill-pod pod-b · crosspod chaos latency redis@pod-a=200ms±20ms · crosspod chaos events",
  );
  return lines.join("\n");
}

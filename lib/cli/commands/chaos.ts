// `crosspod chaos <action> [target]`: one chaos action against a running `crosspod up --control-port`
// (through its control API), or against Kubernetes with --kubernetes (kubectl). `crosspod chaos events`
// lists what the supervisor has done so far.
import type { Command } from "commander";
import { z } from "zod";
import type { ChaosEvent } from "../../chaos/chaos-controller.js";
import { listChaosEvents, postChaosAction } from "../../chaos/control-client.js";
import { KubernetesDriver } from "../../chaos/kubernetes-driver.js";
import { chaosActionNames, parseChaosActionText } from "../../core/chaos-schedule.js";
import { endpointUrlProblem, redactUrlCredentials } from "../../core/endpoint-url.js";
import { CLIError } from "../cli-error.js";
import { parseFlags } from "../flag-error.js";

const flagNames = {
  controlUrl: "--control-url",
  token: "--token",
  kubernetes: "--kubernetes",
  namespace: "--namespace",
  selector: "--selector",
  deployment: "--deployment",
  kubectl: "--kubectl",
  json: "--json",
} as const;

const text = z.string().min(1, "expected a value");

const chaosFlagsSchema = z
  .object({
    controlUrl: z
      .url({ protocol: /^https?$/, error: "expected the control API's URL, http://127.0.0.1:<port>" })
      .optional(),
    token: text.optional(),
    kubernetes: z.boolean().default(false),
    namespace: text.optional(),
    selector: text.optional(),
    deployment: text.optional(),
    kubectl: text.optional(),
    json: z.boolean().default(false),
  })
  .strict();

type ChaosFlags = z.infer<typeof chaosFlagsSchema>;

function usage(message: string): CLIError {
  return new CLIError(message, "CROSSPOD_USAGE");
}

function describeEvent(event: ChaosEvent): string {
  const when = new Date(event.atMs).toISOString();
  const outcome = event.ok ? event.detail || "done" : `FAILED: ${event.error}`;
  return `${when}  ${event.action} ${event.target}: ${outcome} (${Math.round(event.durationMs)} ms)`;
}

/** The control API's URL and token from the flags or the environment `crosspod up` told the user to set. */
function controlApi(flags: ChaosFlags): { url: string; token: string } {
  const url = flags.controlUrl ?? process.env.CROSSPOD_CONTROL_URL;
  const token = flags.token ?? process.env.CROSSPOD_CONTROL_TOKEN;
  if (!url || !token) {
    throw usage(
      "no control API: pass --control-url and --token, or set CROSSPOD_CONTROL_URL and CROSSPOD_CONTROL_TOKEN " +
        "as `crosspod up --control-port 0` prints them (or use --kubernetes)",
    );
  }
  // The variable gets the flag's check: a file:// or mistyped URL is the user's input, not a network failure.
  const problem = flags.controlUrl === undefined ? endpointUrlProblem(url, ["http", "https"]) : undefined;
  if (problem !== undefined) {
    throw usage(
      `CROSSPOD_CONTROL_URL: "${redactUrlCredentials(url)}": ${problem}, e.g. http://127.0.0.1:<port>`,
    );
  }
  return { url, token };
}

async function runChaos(
  actionName: string,
  target: string | undefined,
  raw: Record<string, unknown>,
): Promise<void> {
  const flags = parseFlags(chaosFlagsSchema, raw, flagNames);
  if (actionName === "events") {
    if (flags.kubernetes)
      throw usage("events lists what a `crosspod up` supervisor did; it has no --kubernetes form");
    const { url, token } = controlApi(flags);
    const { events, links } = await listChaosEvents(url, token);
    if (flags.json) console.log(JSON.stringify({ events, links }, null, 2));
    else {
      for (const event of events) console.log(describeEvent(event));
      console.log(`${events.length} events; fault links: ${links.join(", ") || "none"}`);
    }
    return;
  }
  const action = parseChaosActionText(target === undefined ? actionName : `${actionName}:${target}`);
  if (flags.kubernetes) {
    const driver = new KubernetesDriver({
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...(flags.selector ? { selector: flags.selector } : {}),
      ...(flags.deployment ? { deployment: flags.deployment } : {}),
      ...(flags.kubectl ? { kubectl: flags.kubectl } : {}),
    });
    const result = await driver.apply(action);
    for (const args of result.commands) console.error(`$ ${flags.kubectl ?? "kubectl"} ${args.join(" ")}`);
    process.stdout.write(result.output);
    return;
  }
  const { url, token } = controlApi(flags);
  const event = await postChaosAction(url, token, action);
  console.log(flags.json ? JSON.stringify(event, null, 2) : describeEvent(event));
}

export function registerChaosCommand(program: Command): void {
  program
    .command("chaos")
    .description("Run one chaos action against a running `crosspod up --control-port`, or on Kubernetes")
    .argument("<action>", `${chaosActionNames.join(" | ")}, or "events" to list what was done`)
    .argument(
      "[target]",
      "a pod (pod-b), a link with the fault's =parameters (redis@pod-a=200ms±20ms, pod-a@clients), nothing for Redis",
    )
    .option("--control-url <url>", "the supervisor's control API (default $CROSSPOD_CONTROL_URL)")
    .option("--token <token>", "the control API's bearer token (default $CROSSPOD_CONTROL_TOKEN)")
    .option("--kubernetes", "run a pod action with kubectl: delete pod, or rollout restart")
    .option("-n, --namespace <namespace>", "Kubernetes namespace")
    .option(
      "-l, --selector <labels>",
      'label selector the pod must match; with the target "any" it picks one',
    )
    .option("--deployment <name>", "deployment that restart-pod rolls on Kubernetes")
    .option("--kubectl <path>", "kubectl binary (default: kubectl on PATH)")
    .option("--json", "print the event as JSON")
    .action((action: string, target: string | undefined, raw: Record<string, unknown>) =>
      runChaos(action, target, raw),
    );
}

// Chaos on Kubernetes: the pod actions as kubectl commands. kill-pod deletes the pod at once
// (--grace-period=0 --force, like SIGKILL), stop-pod deletes it gracefully (SIGTERM, then the pod's grace
// period), restart-pod rolls the deployment. A label selector scopes which pods may be touched: a target
// outside it is refused, and the target "any" picks the first pod it matches.

import { spawn } from "node:child_process";
import { type ChaosAction, describeChaosAction } from "../core/chaos-schedule.js";
import { CrosspodError, type ErrorKind } from "../core/crosspod-error.js";

export interface KubernetesDriverOptions {
  namespace?: string;
  /** Label selector (kubectl -l) the target pod must match, e.g. app=crosspod-backend. */
  selector?: string;
  /** Deployment that restart-pod rolls (kubectl rollout restart deployment/<name>). */
  deployment?: string;
  /** kubectl binary; default "kubectl" found on the PATH of `env`. */
  kubectl?: string;
  /** Environment for kubectl (KUBECONFIG, PATH); default process.env. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export class KubernetesDriverError extends CrosspodError {
  constructor(
    message: string,
    override readonly code:
      | "CROSSPOD_KUBERNETES_UNSUPPORTED"
      | "CROSSPOD_KUBERNETES_TARGET"
      | "CROSSPOD_KUBECTL_FAILED",
  ) {
    super(message);
    this.name = "KubernetesDriverError";
  }

  override get kind(): ErrorKind {
    return this.code === "CROSSPOD_KUBECTL_FAILED" ? "environment" : "usage";
  }
}

export interface KubectlResult {
  /** Every kubectl command run, as argument lists. */
  commands: string[][];
  /** The pod acted on (resolved from "any"), or the deployment rolled. */
  target: string;
  output: string;
}

/** Target that lets the selector choose the pod. */
export const anyPod = "any";

const defaultTimeoutMs = 60_000;

export class KubernetesDriver {
  constructor(private readonly options: KubernetesDriverOptions = {}) {}

  async apply(action: ChaosAction): Promise<KubectlResult> {
    const scope = this.scopeArgs();
    switch (action.action) {
      case "kill-pod":
      case "stop-pod": {
        const { pod, commands } = await this.resolvePod(action.target);
        const force = action.action === "kill-pod" ? ["--grace-period=0", "--force"] : [];
        const args = ["delete", "pod", pod, ...scope, ...force, "--wait=false"];
        const output = await this.kubectl(args);
        return { commands: [...commands, args], target: pod, output };
      }
      case "restart-pod": {
        const deployment = this.options.deployment;
        if (!deployment) {
          throw new KubernetesDriverError(
            "restart-pod on Kubernetes rolls a deployment: pass --deployment <name>",
            "CROSSPOD_KUBERNETES_TARGET",
          );
        }
        const args = ["rollout", "restart", `deployment/${deployment}`, ...scope];
        const output = await this.kubectl(args);
        return { commands: [args], target: `deployment/${deployment}`, output };
      }
      default:
        throw new KubernetesDriverError(
          `${describeChaosAction(action)}: the Kubernetes driver runs kill-pod, stop-pod and restart-pod only`,
          "CROSSPOD_KUBERNETES_UNSUPPORTED",
        );
    }
  }

  private scopeArgs(): string[] {
    return this.options.namespace ? ["--namespace", this.options.namespace] : [];
  }

  /** The pod to act on; with a selector, checked against (or, for "any", picked from) the pods it matches. */
  private async resolvePod(target: string): Promise<{ pod: string; commands: string[][] }> {
    const selector = this.options.selector;
    if (selector === undefined) {
      if (target === anyPod) {
        throw new KubernetesDriverError(
          'the target "any" needs a label selector (-l app=...) to choose from',
          "CROSSPOD_KUBERNETES_TARGET",
        );
      }
      return { pod: target, commands: [] };
    }
    const args = ["get", "pods", ...this.scopeArgs(), "-l", selector, "-o", "name"];
    const pods = (await this.kubectl(args))
      .split("\n")
      .map((line) => line.trim().replace(/^pod\//, ""))
      .filter(Boolean)
      .sort();
    const pod = target === anyPod ? pods[0] : pods.find((name) => name === target);
    if (pod === undefined) {
      const where = this.options.namespace ? ` in namespace ${this.options.namespace}` : "";
      throw new KubernetesDriverError(
        target === anyPod
          ? `no pod matches -l ${selector}${where}`
          : `pod "${target}" does not match -l ${selector}${where} (matching: ${pods.join(", ") || "none"})`,
        "CROSSPOD_KUBERNETES_TARGET",
      );
    }
    return { pod, commands: [args] };
  }

  private kubectl(args: string[]): Promise<string> {
    const binary = this.options.kubectl ?? "kubectl";
    const command = `${binary} ${args.join(" ")}`;
    return new Promise((resolve, reject) => {
      const child = spawn(binary, args, {
        env: this.options.env ?? process.env,
        stdio: ["ignore", "pipe", "pipe"],
        timeout: this.options.timeoutMs ?? defaultTimeoutMs,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-2000);
      });
      child.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          new KubernetesDriverError(
            error.code === "ENOENT"
              ? `${binary} was not found on PATH; install kubectl or pass --kubectl <path>`
              : `${command}: ${error.message}`,
            "CROSSPOD_KUBECTL_FAILED",
          ),
        ),
      );
      child.once("close", (code, signal) => {
        if (code === 0) resolve(stdout);
        else {
          const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
          reject(new KubernetesDriverError(`${command} ${how}: ${stderr.trim()}`, "CROSSPOD_KUBECTL_FAILED"));
        }
      });
    });
  }
}

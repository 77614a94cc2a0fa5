// `crosspod target check <file>`: validates a target file (exit 2 naming the bad field), then makes one
// round trip through the backend it describes: connect to every pod, trigger one event with a probe, and
// print what the adapter read from each pod's frame (id, seq, published time, origin, probe). Exit 0 when
// every pod delivered the probe, 1 when one did not (with the frames it saw instead).
import type { Command } from "commander";
import type { AdapterFrame } from "../../core/adapters/protocol-adapter.js";
import { TargetError } from "../../core/target-error.js";
import { targetCheckWarnings } from "../../engine/target-check-warnings.js";
import { type SmokeResult, smokeTarget } from "../../engine/target-smoke.js";
import { CLIError, exitCodes } from "../cli-error.js";
import { readTargetFile } from "../read-target-file.js";

function show(value: number | string | undefined): string {
  return value === undefined ? "-" : String(value);
}

function describeFrame(frame: AdapterFrame): string {
  switch (frame.type) {
    case "invalid":
    case "refused":
      return `${frame.type} (${frame.reason})`;
    case "delivery":
      return `delivery without this check's probe (probe ${frame.probe ? `run ${frame.probe.run}` : "not found"})`;
    default:
      return frame.type;
  }
}

function render(path: string, kind: string, accounting: string, result: SmokeResult): string {
  const lines = [`${path}: adapter ${kind}, ${result.pods.length} pods, accounting ${accounting}`];
  for (const pod of result.pods) {
    lines.push(`  pod ${pod.pod}  ${pod.wsUrl}  up${pod.resume ? ", resumes" : ""}`);
  }
  const { trigger } = result;
  const reply = trigger.reply.accepted
    ? `accepted (seq ${show(trigger.reply.seq)}, published ${trigger.reply.publishedAtMs === undefined ? "-" : new Date(trigger.reply.publishedAtMs).toISOString()})`
    : `not accepted (${trigger.reply.cause})`;
  lines.push(
    `trigger via ${trigger.pod}: ${trigger.method} ${trigger.url} -> ${show(trigger.status)}, ${reply}`,
  );
  for (const { pod, frame, fanoutMs, e2eMs } of result.deliveries) {
    lines.push(
      `  ${pod} delivered: id ${show(frame.id)}, seq ${show(frame.seq)}, published ${frame.publishedAtMs === undefined ? "-" : new Date(frame.publishedAtMs).toISOString()}, origin ${frame.podOrigin}, probe n=${frame.probe?.n}${frame.offset === undefined ? "" : `, offset ${frame.offset}`}`,
    );
    lines.push(
      `    fan-out ${fanoutMs === undefined ? "- (no published time)" : `${fanoutMs.toFixed(1)} ms`}, end-to-end ${e2eMs.toFixed(1)} ms`,
    );
  }
  for (const pod of result.missing) lines.push(`  ${pod}: no frame with the probe arrived`);
  if (result.others.length > 0) {
    lines.push("other frames:");
    for (const other of result.others)
      lines.push(`  ${other.pod}: ${describeFrame(other.frame)}: ${other.text}`);
  }
  lines.push(
    result.missing.length === 0
      ? "ok: every pod delivered the probe"
      : `not ok: ${result.missing.length} of ${result.pods.length} pods delivered no frame carrying the probe; check trigger.body's {{probe}} and the probe path`,
  );
  return `${lines.join("\n")}\n`;
}

export function registerTargetCommand(program: Command): void {
  const target = program.command("target").description("Work with target files (other backends)");
  target
    .command("check")
    .description(
      "Validate a target file and make one trigger round trip, printing what each pod's frame said",
    )
    .argument("<file>", "target file, YAML or JSON")
    .option("--timeout <seconds>", "how long to wait for connections and the probe's frames", "10")
    .action(async (path: string, options: { timeout: string }) => {
      const timeoutSeconds = Number(options.timeout);
      if (!(timeoutSeconds > 0 && timeoutSeconds <= 300)) {
        throw new CLIError(
          `--timeout: expected seconds from 1 to 300 (got "${options.timeout}")`,
          "CROSSPOD_USAGE",
        );
      }
      const { file, target: loaded } = readTargetFile(path, process.env, path);
      let result: SmokeResult;
      try {
        result = await smokeTarget(loaded, timeoutSeconds * 1000);
      } catch (error) {
        // `target check` documents 1 for a pod that did not answer: the file was fine, the pod was not.
        if (error instanceof TargetError) throw new CLIError(error.message, error.code, "environment");
        throw error;
      }
      process.stdout.write(render(path, file.adapter, loaded.adapter.accounting, result));
      const warnings = targetCheckWarnings(file, result);
      for (const warning of warnings) process.stdout.write(`warning: ${warning}\n`);
      process.exitCode = result.missing.length === 0 ? exitCodes.ok : exitCodes.internal;
    });
}

// `--out` values, k6-style and repeatable: `json=FILE` (the report), `csv=FILE` (per-pod time series),
// `prometheus-rw=URL` (remote write of the load metrics), `otlp=URL` is refused until it exists; a bare
// path keeps its old meaning, the JSON report. Parsing is pure; checkOutputs (output-check.ts) then
// proves each file writable and each URL reachable before the run starts.
import { CrosspodError } from "../../core/crosspod-error.js";
import { endpointUrlProblem, redactUrlCredentials } from "../../core/endpoint-url.js";

export type OutputSpec =
  | { kind: "json"; path: string }
  | { kind: "csv"; path: string }
  | { kind: "prometheus-rw"; url: string }
  /** --html, checked and written with the --out files. */
  | { kind: "html"; path: string };

export const outputKinds = ["json", "csv", "prometheus-rw"] as const;

export class OutputSpecError extends CrosspodError {
  override readonly code = "CROSSPOD_OUTPUT";
  override readonly kind = "usage";
}

/** `text` as given to --out; throws OutputSpecError naming the value and what was expected. */
export function parseOutputSpec(text: string): OutputSpec {
  const match = /^([a-z][a-z0-9-]*)=(.*)$/s.exec(text);
  if (!match) {
    if (text.trim() === "") throw new OutputSpecError("--out: expected a file or kind=target, got nothing");
    return { kind: "json", path: text };
  }
  const [, kind = "", target = ""] = match;
  if (target === "")
    throw new OutputSpecError(
      `--out ${kind}=: expected a ${kind === "prometheus-rw" ? "URL" : "file"} after "="`,
    );
  switch (kind) {
    case "json":
    case "csv":
      return { kind, path: target };
    case "prometheus-rw": {
      const problem = endpointUrlProblem(target, ["http", "https"], { query: true });
      if (problem !== undefined) {
        throw new OutputSpecError(
          `--out prometheus-rw="${redactUrlCredentials(target)}": ${problem}, e.g. http://127.0.0.1:9090/api/v1/write`,
        );
      }
      return { kind, url: target };
    }
    case "otlp":
      throw new OutputSpecError(
        "--out otlp=: not available yet; use prometheus-rw=URL (an OpenTelemetry Collector takes remote write with its prometheusremotewrite receiver)",
      );
    default:
      // A file name that happens to contain "=" (report=1.json) is still a path.
      if (!outputKinds.includes(kind as never) && /[./]/.test(kind)) return { kind: "json", path: text };
      throw new OutputSpecError(
        `--out ${kind}=…: unknown output "${kind}": expected ${outputKinds.join(", ")}, or a file for the JSON report`,
      );
  }
}

/** The output as the user typed it, for messages. */
export function describeOutput(spec: OutputSpec): string {
  if (spec.kind === "html") return `--html ${spec.path}`;
  return spec.kind === "prometheus-rw"
    ? `--out prometheus-rw=${redactUrlCredentials(spec.url)}`
    : `--out ${spec.kind}=${spec.path}`;
}

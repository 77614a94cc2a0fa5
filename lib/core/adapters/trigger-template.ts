// The trigger request of a target file, compiled once: method, path and headers, and a body template with
// the probe placed where the backend echoes it back. Placeholders: {{probe}} (the probe; as a whole JSON
// value it stays an object, inside text it becomes its JSON), {{probe.run}}, {{probe.publisher}},
// {{probe.n}}, {{probe.t}} and {{pod}}. A string body is a text template; any other JSON value is a
// structure whose string leaves are templates.
import type { Probe } from "../probe.js";
import { AdapterError } from "./adapter-error.js";
import { compileJsonPath } from "./json-path.js";
import { type TimeUnit, toEpochMs } from "./payload-fields.js";
import type { TriggerPod, TriggerReply, TriggerRequest } from "./protocol-adapter.js";

export interface TriggerTemplate {
  method: string;
  /** Appended to the pod's http URL; may hold placeholders (URL-encoded when expanded). */
  path: string;
  headers: Record<string, string>;
  /** Absent: no body. */
  body?: unknown;
  /** Statuses that mean the backend accepted the trigger. */
  acceptedStatus: readonly number[];
  /** Where the reply tells the seq, published time and pod, when it does. */
  response: { seq?: string; publishedAt?: { path: string; unit: TimeUnit }; pod?: string };
  /** A header set from a secret (the caller resolves the environment variable). */
  auth?: { header: string; value: string };
}

interface Context {
  probe: Probe;
  pod: string;
}

type Part = string | ((context: Context) => string | number | Probe);

const placeholderPattern = /\{\{\s*([a-z.]+)\s*\}\}/g;

function placeholder(name: string, field: string): (context: Context) => string | number | Probe {
  switch (name) {
    case "probe":
      return (c) => c.probe;
    case "probe.run":
      return (c) => c.probe.run;
    case "probe.publisher":
      return (c) => c.probe.publisher;
    case "probe.n":
      return (c) => c.probe.n;
    case "probe.t":
      return (c) => c.probe.t;
    case "pod":
      return (c) => c.pod;
    default:
      throw new AdapterError(
        field,
        `unknown placeholder {{${name}}}: expected {{probe}}, {{probe.run}}, {{probe.publisher}}, {{probe.n}}, {{probe.t}} or {{pod}}`,
      );
  }
}

function textParts(text: string, field: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(placeholderPattern)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(placeholder(match[1] as string, field));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

function compileText(text: string, field: string, encode: (text: string) => string): (c: Context) => string {
  const parts = textParts(text, field);
  if (parts.every((part) => typeof part === "string")) return () => text;
  return (context) => {
    let out = "";
    for (const part of parts) {
      if (typeof part === "string") out += part;
      else {
        const value = part(context);
        out += encode(typeof value === "object" ? JSON.stringify(value) : String(value));
      }
    }
    return out;
  };
}

function compileValue(value: unknown, field: string): (context: Context) => unknown {
  if (typeof value === "string") {
    const parts = textParts(value, field);
    // A leaf that is exactly one placeholder keeps the value's JSON type: {{probe}} stays an object.
    if (parts.length === 1 && typeof parts[0] === "function") return parts[0];
    return compileText(value, field, (text) => text);
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileValue(item, `${field}[${i}]`));
    return (context) => items.map((item) => item(context));
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(
      ([key, item]) => [key, compileValue(item, `${field}.${key}`)] as const,
    );
    return (context) => {
      const out: Record<string, unknown> = {};
      for (const [key, item] of entries) out[key] = item(context);
      return out;
    };
  }
  return () => value;
}

const wholeProbe = /\{\{\s*probe\s*\}\}/;

export interface CompiledTrigger {
  request(pod: TriggerPod, probe: Probe): TriggerRequest;
  reply(status: number, body: unknown): TriggerReply;
}

/** `prefix` names the trigger's place in the target file, for errors. */
export function compileTrigger(
  template: TriggerTemplate,
  prefix: string,
  options: { probeRequired: boolean },
): CompiledTrigger {
  const path = compileText(template.path, `${prefix}.path`, encodeURIComponent);
  const body =
    template.body === undefined
      ? undefined
      : typeof template.body === "string"
        ? compileText(template.body, `${prefix}.body`, (text) => text)
        : compileValue(template.body, `${prefix}.body`);
  if (
    options.probeRequired &&
    !wholeProbe.test(JSON.stringify(template.body ?? "")) &&
    !wholeProbe.test(template.path)
  ) {
    throw new AdapterError(
      `${prefix}.body`,
      "has no {{probe}} placeholder: put it where the backend echoes it back in the frames it fans out",
    );
  }
  const headers: Record<string, string> = { ...template.headers };
  if (
    template.body !== undefined &&
    typeof template.body !== "string" &&
    !hasHeader(headers, "content-type")
  ) {
    headers["content-type"] = "application/json";
  }
  if (template.auth !== undefined) headers[template.auth.header.toLowerCase()] = template.auth.value;
  const accepted = new Set(template.acceptedStatus);
  const { response } = template;
  const seq =
    response.seq === undefined ? undefined : compileJsonPath(response.seq, `${prefix}.response.seq`);
  const pod =
    response.pod === undefined ? undefined : compileJsonPath(response.pod, `${prefix}.response.pod`);
  const publishedAt =
    response.publishedAt === undefined
      ? undefined
      : compileJsonPath(response.publishedAt.path, `${prefix}.response.publishedAt.path`);
  const unit = response.publishedAt?.unit ?? "ms";
  return {
    request(target, probe) {
      const context = { probe, pod: target.name };
      const value = body?.(context);
      return {
        method: template.method,
        url: `${target.httpUrl.replace(/\/+$/, "")}${path(context)}`,
        headers,
        body: value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value),
      };
    },
    reply(status, replyBody) {
      if (!accepted.has(status)) return { accepted: false, cause: `http-${status}` };
      const seqValue = seq?.(replyBody);
      const podValue = pod?.(replyBody);
      if (seq !== undefined && typeof seqValue !== "number")
        return { accepted: false, cause: "bad-response" };
      return {
        accepted: true,
        seq: typeof seqValue === "number" ? seqValue : undefined,
        publishedAtMs: toEpochMs(publishedAt?.(replyBody), unit),
        pod: typeof podValue === "string" ? podValue : undefined,
      };
    },
  };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

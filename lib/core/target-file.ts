// The target file: which backend crosspod talks to and how (`crosspod run --target target.yaml`,
// `crosspod target check`). YAML or JSON is parsed at the edge (lib/cli; k6 gets it as JSON); this module
// validates the value with zod; target-from-file.ts builds the protocol adapter (without zod, so k6
// bundles, which get the file already validated, do not carry it). Every error names the field at fault.
import { z } from "zod";
import { AdapterError } from "./adapters/adapter-error.js";
import { timeUnits } from "./adapters/payload-fields.js";
import type { Target } from "./adapters/protocol-adapter.js";
import { tokenPlaceholder } from "./adapters/websocket-auth.js";
import { endpointUrlProblem, type UrlScheme } from "./endpoint-url.js";
import { targetFromFile } from "./target-from-file.js";

export { AdapterError, targetFromFile };

function endpointUrl(schemes: readonly UrlScheme[], query: boolean, example: string) {
  return z
    .string()
    .max(2048, "expected a URL of at most 2048 characters")
    .superRefine((text, context) => {
      const problem = endpointUrlProblem(text, schemes, { query });
      if (problem !== undefined) context.addIssue({ code: "custom", message: `${problem}, e.g. ${example}` });
    });
}
const httpUrl = endpointUrl(["http", "https"], false, "a base URL such as http://127.0.0.1:8000");
const wsUrl = endpointUrl(["ws", "wss"], true, "a WebSocket URL such as ws://127.0.0.1:8000/ws");
const path = z.string().min(1, "expected a JSON path such as data.id").max(200);
const podName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,63}$/, "expected 1 to 63 letters, digits, dots, dashes or underscores");

const match = z
  .object({
    path,
    equals: z.union(
      [z.string(), z.number(), z.boolean(), z.null()],
      "expected a string, number, boolean or null",
    ),
  })
  .strict();

const time = z
  .object({ path, unit: z.enum(timeUnits, `expected one of ${timeUnits.join(", ")}`).default("ms") })
  .strict();

const payloadFields = {
  id: path.optional(),
  seq: path.optional(),
  publishedAt: time.optional(),
  probe: path.optional(),
  origin: path.optional(),
};

const trigger = z
  .object({
    method: z.enum(["POST", "PUT", "PATCH", "GET"], "expected POST, PUT, PATCH or GET").default("POST"),
    path: z.string().regex(/^\//, "expected a path starting with /, e.g. /api/threats/trigger"),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional(),
    accept: z.array(z.number().int().min(100).max(599)).min(1).default([200, 201, 202, 204]),
    response: z
      .object({ seq: path.optional(), publishedAt: time.optional(), pod: path.optional() })
      .strict()
      .default({}),
    auth: z
      .object({
        header: z.string().min(1).default("authorization"),
        env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name"),
        prefix: z.string().default(""),
      })
      .strict()
      .optional(),
  })
  .strict();

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name");
const authPlaces = ["header", "cookie", "query", "message"] as const;

/** websocket.auth: where the credential goes, and the variable holding it (never the value). */
const websocketAuth = z
  .object({
    env: envName,
    prefix: z.string().max(64).default(""),
    header: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, "expected a header name such as Authorization")
      .optional(),
    cookie: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, "expected a cookie name such as session")
      .optional(),
    query: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, "expected a query parameter name such as token")
      .optional(),
    message: z
      .string()
      .max(4096)
      .refine(
        (text) => text.includes(tokenPlaceholder),
        `expected ${tokenPlaceholder} where the credential goes`,
      )
      .optional(),
  })
  .strict()
  .refine((auth) => authPlaces.filter((place) => auth[place] !== undefined).length === 1, {
    message: `expected exactly one of ${authPlaces.join(", ")}: where the credential goes`,
  });

const websocketSection = z.object({ auth: websocketAuth.optional() }).strict();
export type WebsocketFile = z.infer<typeof websocketSection>;

const namedPod = z.object({ name: podName, url: httpUrl }).strict();

const crosspodTarget = z
  .object({
    adapter: z.literal("crosspod"),
    pods: z
      .array(z.object({ url: httpUrl }).strict())
      .min(1)
      .max(64),
    /** Environment variable holding the backend's AUTH_TOKEN for triggers. */
    authEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name")
      .optional(),
  })
  .strict();

const genericJsonTarget = z
  .object({
    adapter: z.literal("generic-json"),
    pods: z
      .array(namedPod.extend({ ws: wsUrl }))
      .min(1)
      .max(64),
    trigger,
    frames: z
      .object({
        ...payloadFields,
        delivery: z.array(match).default([]),
        ignore: z.array(match).default([]),
        hello: match.optional(),
      })
      .strict(),
    subscribe: z.unknown().optional(),
    websocket: websocketSection.optional(),
  })
  .strict();

const socketIoTarget = z
  .object({
    adapter: z.literal("socketio"),
    pods: z.array(namedPod).min(1).max(64),
    trigger,
    socketio: z
      .object({
        path: z
          .string()
          .regex(/^\/\S*$/, "expected a path such as /socket.io/")
          .default("/socket.io/"),
        namespace: z
          .string()
          .regex(/^\/\S*$/, "expected a namespace such as /")
          .default("/"),
        event: z.string().min(1).max(200),
        recovery: z.boolean().default(true),
        payload: z.object(payloadFields).strict(),
      })
      .strict(),
    websocket: websocketSection.optional(),
  })
  .strict();

export const targetFileSchema = z.discriminatedUnion(
  "adapter",
  [crosspodTarget, genericJsonTarget, socketIoTarget],
  'expected adapter: "crosspod", "generic-json" or "socketio"',
);
export type TargetFile = z.infer<typeof targetFileSchema>;
export type TriggerFile = z.infer<typeof trigger>;

function fieldName(path: readonly PropertyKey[]): string {
  let name = "";
  for (const key of path)
    name += typeof key === "number" ? `[${key}]` : `${name === "" ? "" : "."}${String(key)}`;
  return name === "" ? "(top level)" : name;
}

/** Validates a parsed target file; throws AdapterError naming the first bad field. */
export function parseTargetFile(value: unknown): TargetFile {
  const parsed = targetFileSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AdapterError(fieldName(issue?.path ?? []), issue?.message ?? "invalid");
}

/** parseTargetFile then targetFromFile. */
export function loadTarget(value: unknown, env: Record<string, string | undefined>): Target {
  return targetFromFile(parseTargetFile(value), env);
}

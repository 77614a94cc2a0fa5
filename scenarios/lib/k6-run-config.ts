// Everything a k6 scenario reads from its environment (__ENV), validated once in the init context so a bad
// value stops the run before any VU starts, with a message naming the variable. The workload numbers come
// from lib/core's profiles (the same data the Node engine runs) with the CROSSPOD_* overrides applied.
// The backend is the reference one at TARGETS, or any other a target file describes (CROSSPOD_TARGET: the
// file as JSON, parsed at the edge by `crosspod run --target`); either way a protocol adapter speaks to it.

import { z } from "zod";
import { crosspodAdapter, crosspodPods } from "../../lib/core/adapters/crosspod-adapter.js";
import type { Target } from "../../lib/core/adapters/protocol-adapter.js";
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import { type Profile, profileOverridesFromEnv, resolveProfile } from "../../lib/core/profiles.js";
import { AdapterError, loadTarget } from "../../lib/core/target-file.js";
import { parseTargets } from "./k6-targets.js";

export interface RunConfig {
  profile: Profile;
  /** Pod base URLs; their names come from the hello frames read in setup (or from the target file). */
  targets: string[];
  /** The adapter and pods every VU talks to. */
  target: Target;
  redisUrl: string;
  /** The backend's Redis key prefix: its seq counter `<prefix>seq` is read as an oracle. */
  keyPrefix: string;
  /** Fixed run id (a runner passes one to find the run's keys); generated in setup otherwise. */
  runId: string | undefined;
  /** Where handleSummary writes the JSON report, and the HTML report ("" = no HTML). */
  reportPath: string;
  htmlPath: string;
  /** Bearer token for triggers, when the backend sets AUTH_TOKEN. */
  authToken: string | undefined;
}

export class RunConfigError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_CONFIG";
  override readonly kind = "usage";
}

const envSchema = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "expected a redis:// or rediss:// URL")
    .default("redis://127.0.0.1:6379"),
  CROSSPOD_KEY_PREFIX: z.string().min(1).max(64).default("crosspod:"),
  CROSSPOD_RUN_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "expected 1 to 64 letters, digits, dots, dashes or underscores")
    .optional(),
  CROSSPOD_OUT: z.string().min(1).optional(),
  CROSSPOD_HTML: z.string().optional(),
  CROSSPOD_AUTH_TOKEN: z.string().min(1).optional(),
  CROSSPOD_TARGET: z.string().min(1).optional(),
});

function targetFrom(text: string, env: Record<string, string | undefined>): Target {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RunConfigError("CROSSPOD_TARGET is not JSON: expected a target file as JSON");
  }
  try {
    return loadTarget(value, env);
  } catch (error) {
    if (error instanceof AdapterError) throw new RunConfigError(`CROSSPOD_TARGET: ${error.message}`);
    throw error;
  }
}

export function loadRunConfig(profileName: string, env: Record<string, string | undefined>): RunConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? "environment");
    throw new RunConfigError(
      `${variable}="${env[variable] ?? ""}" is invalid: ${issue?.message ?? "bad value"}`,
    );
  }
  const vars = parsed.data;
  const profile = resolveProfile(profileName, profileOverridesFromEnv(env));
  const target = vars.CROSSPOD_TARGET === undefined ? undefined : targetFrom(vars.CROSSPOD_TARGET, env);
  const targets = target ? target.pods.map((pod) => pod.httpUrl) : parseTargets(env.TARGETS);
  return {
    profile,
    targets,
    target: target ?? {
      adapter: crosspodAdapter(
        vars.CROSSPOD_AUTH_TOKEN === undefined ? {} : { authToken: vars.CROSSPOD_AUTH_TOKEN },
      ),
      pods: crosspodPods(targets),
    },
    redisUrl: vars.REDIS_URL,
    keyPrefix: vars.CROSSPOD_KEY_PREFIX,
    runId: vars.CROSSPOD_RUN_ID,
    reportPath: vars.CROSSPOD_OUT ?? `${profile.name}-report.json`,
    htmlPath: vars.CROSSPOD_HTML ?? `${profile.name}-report.html`,
    authToken: vars.CROSSPOD_AUTH_TOKEN,
  };
}

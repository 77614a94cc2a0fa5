// Chaos actions and schedules, shared by `crosspod run --chaos`, `crosspod chaos`, the supervisor's control
// API and k6 scenarios: one check for an action (plain code, not a schema library, because k6 bundles it and a
// VU compiles every byte of its bundle), and the `--chaos` text syntax, e.g.
// `kill-pod:pod-b@30s,restart-pod:pod-b@40s,kill-redis@60s,latency:redis@pod-a=200ms±20ms@10s..20s`.
// A network link is named `<server>@<client>`: `redis@pod-a` is pod-a's connections to Redis and
// `pod-a@clients` the clients' connections to pod-a. A recurring step, `restart-pod:*@every 10m`, repeats
// through the trigger phase; `*` stands for each pod in turn (a rolling restart, one pod per occurrence).
import { ChaosScheduleError } from "./chaos-schedule-error.js";
import { durationSeconds } from "./duration.js";

export { ChaosScheduleError };

export const podActionNames = ["kill-pod", "stop-pod", "restart-pod"] as const;
/**
 * Redis actions. The last four need Redis with Sentinel (`--redis sentinel`): a graceful failover, a
 * SIGKILL of the current primary, a partition of the primary from pods, Sentinels and replicas (its
 * fault proxy blackholes every link), and the heal of that partition. restart-redis there restarts the
 * nodes that are down, as replicas.
 */
export const redisHaActionNames = [
  "failover-redis",
  "kill-redis-primary",
  "partition-redis-primary",
  "heal-redis",
] as const;
export const redisActionNames = ["kill-redis", "stop-redis", "restart-redis", ...redisHaActionNames] as const;
export const networkFaultNames = ["latency", "bandwidth", "blackhole", "reset"] as const;
export const chaosActionNames = [
  ...podActionNames,
  ...redisActionNames,
  ...networkFaultNames,
  "heal",
] as const;
export type ChaosActionName = (typeof chaosActionNames)[number];
export type NetworkFaultName = (typeof networkFaultNames)[number];

const podNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const maxLatencyMs = 60_000;
const maxStepSeconds = 7 * 86_400;
const maxSteps = 1000;

export interface ParsedLink {
  /** "redis": a pod's connections to Redis; "clients": the clients' connections to a pod. */
  side: "redis" | "clients";
  pod: string;
}

/** `redis@pod-a` -> {side: "redis", pod: "pod-a"}, `pod-a@clients` -> {side: "clients", pod: "pod-a"}. */
export function parseLink(text: string): ParsedLink | undefined {
  const at = text.indexOf("@");
  if (at < 0 || at !== text.lastIndexOf("@")) return undefined;
  const server = text.slice(0, at);
  const client = text.slice(at + 1);
  if (server === "redis" && podNamePattern.test(client) && client !== "clients")
    return { side: "redis", pod: client };
  if (client === "clients" && podNamePattern.test(server) && server !== "redis")
    return { side: "clients", pod: server };
  return undefined;
}

export type PodActionName = (typeof podActionNames)[number];
export type RedisActionName = (typeof redisActionNames)[number];

export type ChaosAction =
  | { action: PodActionName; target: string }
  | { action: RedisActionName; target: "redis" }
  | { action: "latency"; target: string; latencyMs: number; jitterMs: number }
  | { action: "bandwidth"; target: string; bytesPerSecond: number }
  | { action: "blackhole" | "reset" | "heal"; target: string };

const maxBytesPerSecond = 10 * 2 ** 30;
const linkExpected =
  'expected a link: "redis@<pod>" (the pod\'s connections to Redis) or "<pod>@clients" (the clients\' connections to the pod)';

/** A field's problem, for ChaosScheduleError: the field and what was expected. */
class FieldProblem {
  constructor(
    readonly field: string,
    readonly message: string,
  ) {}
}

function podTarget(value: unknown): string {
  if (typeof value === "string" && podNamePattern.test(value)) return value;
  throw new FieldProblem("target", "expected a pod name such as pod-b");
}

function linkTarget(value: unknown): string {
  if (typeof value === "string" && parseLink(value) !== undefined) return value;
  throw new FieldProblem("target", linkExpected);
}

function milliseconds(fields: Record<string, unknown>, name: string, fallback?: number): number {
  const value = fields[name] ?? fallback;
  if (typeof value === "number" && value >= 0 && value <= maxLatencyMs) return value;
  throw new FieldProblem(name, `expected milliseconds from 0 to ${maxLatencyMs}`);
}

/** The action's own fields, checked; each branch lists the fields it takes. */
function actionFields(name: string, fields: Record<string, unknown>): [ChaosAction, readonly string[]] {
  if ((podActionNames as readonly string[]).includes(name)) {
    return [{ action: name as PodActionName, target: podTarget(fields.target) }, ["target"]];
  }
  if ((redisActionNames as readonly string[]).includes(name)) {
    if (fields.target !== undefined && fields.target !== "redis")
      throw new FieldProblem("target", 'expected "redis"');
    return [{ action: name as RedisActionName, target: "redis" }, ["target"]];
  }
  if (name === "latency") {
    const target = linkTarget(fields.target);
    const latencyMs = milliseconds(fields, "latencyMs");
    const jitterMs = milliseconds(fields, "jitterMs", 0);
    if (jitterMs > latencyMs) {
      throw new FieldProblem("jitterMs", "expected at most latencyMs (a delay never goes below zero)");
    }
    return [{ action: "latency", target, latencyMs, jitterMs }, ["target", "latencyMs", "jitterMs"]];
  }
  if (name === "bandwidth") {
    const target = linkTarget(fields.target);
    const bytesPerSecond = fields.bytesPerSecond;
    if (
      typeof bytesPerSecond !== "number" ||
      !Number.isInteger(bytesPerSecond) ||
      bytesPerSecond < 1 ||
      bytesPerSecond > maxBytesPerSecond
    ) {
      throw new FieldProblem(
        "bytesPerSecond",
        `expected a whole number of bytes per second from 1 to ${maxBytesPerSecond}`,
      );
    }
    return [{ action: "bandwidth", target, bytesPerSecond }, ["target", "bytesPerSecond"]];
  }
  if (name === "blackhole" || name === "reset" || name === "heal") {
    return [{ action: name, target: linkTarget(fields.target) }, ["target"]];
  }
  throw new FieldProblem("action", `expected one of ${chaosActionNames.join(", ")}`);
}

export interface ChaosStep {
  /** Seconds after the run's trigger phase began. */
  atSeconds: number;
  action: ChaosAction;
  /** The schedule text this step came from, for messages and event details. */
  source: string;
  /** Its 1-based position in the schedule text, so later checks name the step as the parser does. */
  stepNumber?: number;
  /**
   * Steps of one rolling (`*`) recurring rule share this key: each waits until the previous has finished,
   * so a rolling restart never has two pods down at once, whatever the interval.
   */
  sequence?: string;
}

/** Validates an action (a control API body, a k6 request); the error names the first bad field. */
export function parseChaosAction(input: unknown): ChaosAction {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ChaosScheduleError("expected an object {action, target, …}", "body");
  }
  const fields = input as Record<string, unknown>;
  try {
    const [action, known] = actionFields(String(fields.action), fields);
    const unknown = Object.keys(fields).filter((key) => key !== "action" && !known.includes(key));
    if (unknown.length > 0) {
      const keys = unknown.join(", ");
      throw new ChaosScheduleError(`${keys}: not a field of ${describeInputAction(input)}`, keys);
    }
    return action;
  } catch (error) {
    if (!(error instanceof FieldProblem)) throw error;
    throw new ChaosScheduleError(`${error.field}: ${error.message}`, error.field);
  }
}

function describeInputAction(input: unknown): string {
  const name =
    typeof input === "object" && input !== null ? (input as { action?: unknown }).action : undefined;
  return typeof name === "string" ? `a ${name} action` : "a chaos action";
}

/** One line for logs and event details: "kill-pod pod-b", "latency redis@pod-a 200 ms ± 20 ms". */
export function describeChaosAction(action: ChaosAction): string {
  const detail = chaosActionDetail(action);
  return `${action.action} ${action.target}${detail ? ` ${detail}` : ""}`;
}

/** The parameters (or the signal) of an action, "" when it has none. */
export function chaosActionDetail(action: ChaosAction): string {
  switch (action.action) {
    case "kill-pod":
    case "kill-redis":
    case "kill-redis-primary":
      return "SIGKILL";
    case "stop-pod":
    case "stop-redis":
      return "SIGTERM";
    case "latency":
      return action.jitterMs > 0
        ? `${action.latencyMs} ms ± ${action.jitterMs} ms`
        : `${action.latencyMs} ms`;
    case "bandwidth":
      return `${action.bytesPerSecond} B/s`;
    default:
      return "";
  }
}

/** The action that undoes `action` at the end of a `@from..until` range, if it has one. */
function undoAction(action: ChaosAction): ChaosAction | undefined {
  switch (action.action) {
    case "kill-pod":
    case "stop-pod":
      return { action: "restart-pod", target: action.target };
    case "kill-redis":
    case "stop-redis":
    case "kill-redis-primary":
      return { action: "restart-redis", target: "redis" };
    case "partition-redis-primary":
      return { action: "heal-redis", target: "redis" };
    case "latency":
    case "bandwidth":
    case "blackhole":
    case "reset":
      return { action: "heal", target: action.target };
    default:
      return undefined;
  }
}

const timeText = "[0-9](?:[0-9a-z]|\\.(?=[0-9]))*";
const stepPattern = new RegExp(`^(?<head>.+)@(?<from>${timeText})(?<range>\\.\\.(?<until>${timeText})?)?$`);
const recurringPattern = /^(?<head>.+)@every\s*(?<interval>\S+)$/;
/** A recurring step more often than this would be a storm, not a schedule. */
const minIntervalSeconds = 1;

const latencyPattern = /^(\d+(?:\.\d+)?)(ms|s)(?:(?:±|\+-|\+\/-)(\d+(?:\.\d+)?)(ms|s))?$/;
const bandwidthPattern = /^(\d+(?:\.\d+)?)(B|KB|KiB|MB|MiB)?(?:\/s)?$/;
const byteUnits: Record<string, number> = { B: 1, KB: 1000, KiB: 1024, MB: 1_000_000, MiB: 1024 * 1024 };

/** Turns `=params` into the action's fields, or a message saying what was expected. */
function actionParameters(action: string, params: string | undefined): Record<string, number> | string {
  if (action === "latency") {
    const match = params === undefined ? null : latencyPattern.exec(params);
    if (!match)
      return `latency needs "=<delay>[±<jitter>]" such as =200ms or =200ms±20ms (got ${quoteParams(params)})`;
    const [, delay, delayUnit, jitter, jitterUnit] = match;
    const ms = (amount: string | undefined, unit: string | undefined) =>
      amount === undefined ? 0 : Number(amount) * (unit === "s" ? 1000 : 1);
    return { latencyMs: ms(delay, delayUnit), jitterMs: ms(jitter, jitterUnit) };
  }
  if (action === "bandwidth") {
    const match = params === undefined ? null : bandwidthPattern.exec(params);
    if (!match)
      return `bandwidth needs "=<bytes per second>" such as =64KiB/s or =100000 (got ${quoteParams(params)})`;
    const [, amount, unit] = match;
    return { bytesPerSecond: Math.round(Number(amount) * (byteUnits[unit ?? "B"] as number)) };
  }
  if (params !== undefined) return `${action} takes no "=" parameters (got "=${params}")`;
  return {};
}

function quoteParams(params: string | undefined): string {
  return params === undefined ? "nothing" : `"=${params}"`;
}

/** `<action>[:<target>][=<params>]` -> the action; `fail` says what is wrong with it. */
function actionFromText(text: string, fail: (message: string) => never): ChaosAction {
  const equals = text.indexOf("=");
  const actionAndTarget = equals < 0 ? text : text.slice(0, equals);
  const params = equals < 0 ? undefined : text.slice(equals + 1);
  const colon = actionAndTarget.indexOf(":");
  const name = colon < 0 ? actionAndTarget : actionAndTarget.slice(0, colon);
  const target = colon < 0 ? undefined : actionAndTarget.slice(colon + 1);
  if (!(chaosActionNames as readonly string[]).includes(name)) {
    return fail(`unknown action "${name}": expected one of ${chaosActionNames.join(", ")}`);
  }
  if (target === undefined && !(redisActionNames as readonly string[]).includes(name)) {
    const kind = (podActionNames as readonly string[]).includes(name) ? "pod" : "link";
    return fail(`${name} needs a target: "${name}:<${kind}>"`);
  }
  const fields = actionParameters(name, params);
  if (typeof fields === "string") return fail(fields);
  try {
    return parseChaosAction({ action: name, ...(target === undefined ? {} : { target }), ...fields });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

/** One action written as in a schedule but without a time: "kill-pod:pod-b", "latency:redis@pod-a=200ms". */
export function parseChaosActionText(text: string): ChaosAction {
  return actionFromText(text.trim(), (message) => {
    throw new ChaosScheduleError(`chaos action "${text}": ${message}`);
  });
}

/** What a recurring step needs to unroll: the pods `*` stands for and how long the trigger phase lasts. */
export interface ChaosScheduleContext {
  pods: readonly string[];
  durationSeconds: number;
}

/**
 * `<action>[:<target>|:*]@every <interval>`: one step at each multiple of the interval before the trigger
 * phase ends; `*` in the target takes each pod in turn. An interval shorter than a restart overlaps them.
 */
function parseRecurringStep(
  part: string,
  stepNumber: number,
  groups: Record<string, string | undefined>,
  context: ChaosScheduleContext | undefined,
  fail: (message: string) => never,
): ChaosStep[] {
  const { head = "", interval = "" } = groups;
  const intervalSeconds = durationSeconds(interval);
  if (intervalSeconds === undefined) return fail(`"${interval}" is not an interval: expected 30s, 10m, 1h`);
  if (intervalSeconds < minIntervalSeconds)
    return fail(`every ${interval} is too often: at least every ${minIntervalSeconds} s`);
  if (context === undefined) {
    return fail("a recurring step needs the run's pods and duration: use it with crosspod run --chaos");
  }
  const rolling = head.includes("*");
  if (rolling && context.pods.length === 0) return fail('"*" needs at least one pod');
  const targetFor = (occurrence: number) => context.pods[occurrence % context.pods.length] as string;
  // Validate once, with the first pod in place of "*", so a bad action fails before any unrolling.
  actionFromText(rolling ? head.replace("*", targetFor(0)) : head, fail);
  const count = Math.ceil(context.durationSeconds / intervalSeconds) - 1;
  if (count > maxSteps) {
    return fail(
      `every ${interval} over ${context.durationSeconds} s makes ${count} steps: at most ${maxSteps} are allowed`,
    );
  }
  return Array.from({ length: count }, (_, occurrence) => ({
    atSeconds: (occurrence + 1) * intervalSeconds,
    action: actionFromText(rolling ? head.replace("*", targetFor(occurrence)) : head, fail),
    source: part,
    stepNumber,
    ...(rolling ? { sequence: `step ${stepNumber}` } : {}),
  }));
}

function parseStep(part: string, index: number, context?: ChaosScheduleContext): ChaosStep[] {
  const where = `chaos step ${index + 1} "${part}"`;
  const fail = (message: string): never => {
    throw new ChaosScheduleError(`${where}: ${message}`);
  };
  const recurring = recurringPattern.exec(part)?.groups;
  if (recurring) return parseRecurringStep(part, index + 1, recurring, context, fail);
  const match = stepPattern.exec(part);
  const groups = match?.groups;
  if (!groups)
    return fail('expected <action>[:<target>][=<params>]@<time>[..<time>], e.g. "kill-pod:pod-b@30s"');
  const { head = "", from = "", range, until } = groups;
  const atSeconds = durationSeconds(from);
  if (atSeconds === undefined) return fail(`"${from}" is not a time: expected seconds or 30s, 1m30s, 500ms`);
  const untilSeconds = until === undefined ? undefined : durationSeconds(until);
  if (until !== undefined && untilSeconds === undefined) {
    return fail(`"${until}" is not a time: expected seconds or 30s, 1m30s, 500ms`);
  }
  if (atSeconds > maxStepSeconds || (untilSeconds ?? 0) > maxStepSeconds) {
    return fail(`times must be at most ${maxStepSeconds} s into the run`);
  }
  if (untilSeconds !== undefined && untilSeconds <= atSeconds) {
    return fail(`the range ${from}..${until} ends before it starts`);
  }

  const action = actionFromText(head, fail);
  const name = action.action;

  const stepNumber = index + 1;
  const steps: ChaosStep[] = [{ atSeconds, action, source: part, stepNumber }];
  if (range !== undefined) {
    const undo = undoAction(action);
    if (!undo) return fail(`${name} cannot take a range: nothing undoes it`);
    if (untilSeconds !== undefined)
      steps.push({ atSeconds: untilSeconds, action: undo, source: part, stepNumber });
  }
  return steps;
}

/**
 * Parses `--chaos` text into steps in time order; the error names the step and the part that is wrong.
 * Recurring steps (`@every`) unroll over `context`; without one they are refused.
 */
export function parseChaosSchedule(text: string, context?: ChaosScheduleContext): ChaosStep[] {
  const parts = text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (parts.length === 0) {
    throw new ChaosScheduleError(
      `chaos schedule "${text}" is empty: expected steps such as kill-pod:pod-b@30s`,
    );
  }
  if (parts.length > maxSteps) {
    throw new ChaosScheduleError(`chaos schedule has ${parts.length} steps: at most ${maxSteps} are allowed`);
  }
  const steps = parts.flatMap((part, index) => parseStep(part, index, context));
  if (steps.length > maxSteps) {
    throw new ChaosScheduleError(
      `chaos schedule unrolls to ${steps.length} steps: at most ${maxSteps} are allowed`,
    );
  }
  // Stable: steps at the same time keep the order they were written in.
  return steps
    .map((step, order) => ({ step, order }))
    .sort((a, b) => a.step.atSeconds - b.step.atSeconds || a.order - b.order)
    .map(({ step }) => step);
}

/** The pod a step acts on (a pod action's target, or a link's pod); undefined for Redis actions. */
export function chaosActionPod(action: ChaosAction): string | undefined {
  if ((podActionNames as readonly string[]).includes(action.action)) return action.target;
  return parseLink(action.target)?.pod;
}

/** Throws naming the first step whose pod is not among `pods`, or that runs after `lastSeconds`. */
export function checkChaosSchedule(
  steps: readonly ChaosStep[],
  pods: readonly string[],
  lastSeconds = Number.POSITIVE_INFINITY,
): void {
  for (const step of steps) {
    const where = `chaos step ${step.stepNumber === undefined ? "" : `${step.stepNumber} `}"${step.source}"`;
    const pod = chaosActionPod(step.action);
    if (pod !== undefined && !pods.includes(pod)) {
      throw new ChaosScheduleError(`${where}: no pod "${pod}" (pods: ${pods.join(", ")})`);
    }
    if (step.atSeconds > lastSeconds) {
      throw new ChaosScheduleError(
        `${where}: ${step.atSeconds} s is after the trigger phase ends (${lastSeconds} s)`,
      );
    }
  }
}

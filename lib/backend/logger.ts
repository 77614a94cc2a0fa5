// The pod's structured logger: pino JSON lines on stdout, every line tagged with the pod name.
import { type Logger, pino } from "pino";
import type { BackendConfig } from "./config.js";

export function createLogger(config: Pick<BackendConfig, "logLevel" | "podName">): Logger {
  return pino({ level: config.logLevel, base: { pod: config.podName } });
}

// Bundled by subscriber-wrappers.test.ts for the k6 emulator: the k6 subscriber wrapper
// (scenarios/lib/k6-subscriber-connection.ts) on one connection to a scripted pod, until it has the head
// seq, then its checker's figures and what it reported to its VU.
import { setTimeout } from "k6/timers";
import { crosspodAdapter } from "../../lib/core/adapters/crosspod-adapter.js";
import type { PublishedTrigger } from "../../lib/core/delivery-checker.js";
import type { BackoffPolicy } from "../../lib/core/reconnect-backoff.js";
import type { DeliveryFigures } from "../../lib/core/report-model.js";
import { type ConnectionOwner, SubscriberConnection } from "../../scenarios/lib/k6-subscriber-connection.js";

export interface ScriptedInput {
  wsUrl: string;
  pod: string;
  headSeq: number;
  published: PublishedTrigger[];
  backoff: BackoffPolicy;
  timeoutMs: number;
}

export interface ScriptedOutput {
  figures: DeliveryFigures;
  reachedHead: boolean;
  opened: number;
  reconnects: number;
  frames: number;
  problems: string[];
}

export async function subscribeScripted(input: ScriptedInput): Promise<ScriptedOutput> {
  const counts = { opened: 0, reconnects: 0, frames: 0 };
  const problems: string[] = [];
  const owner: ConnectionOwner = {
    adapter: crosspodAdapter(),
    runId: "scripted",
    backoff: input.backoff,
    helloTimeoutMs: input.timeoutMs,
    connectionUp(_pod, first, reconnectMs) {
      if (first) counts.opened += 1;
      if (reconnectMs !== undefined) counts.reconnects += 1;
    },
    connectionDown() {},
    connectFailed(_pod, reason) {
      problems.push(`connect-failed ${reason}`);
    },
    frame() {
      counts.frames += 1;
    },
    problem(event) {
      problems.push(`${event.name} ${event.detail ?? ""}`);
    },
  };
  const connection = new SubscriberConnection(owner, { wsUrl: input.wsUrl, pod: input.pod });
  connection.connect();
  const deadlineMs = Date.now() + input.timeoutMs;
  while (!connection.reached(input.headSeq) && Date.now() < deadlineMs) {
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
  }
  const reachedHead = connection.reached(input.headSeq);
  connection.close();
  return { figures: connection.finish(input.published, input.headSeq), reachedHead, ...counts, problems };
}

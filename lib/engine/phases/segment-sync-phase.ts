// The two meeting points of a split run's runners (execution segments), around the trigger phase:
// before it, every runner's connections are up and all start triggering at one shared time (so a client of
// one runner sees the whole run's triggers, as in a single run); after it, every runner adds the others'
// published triggers to its log, so its drain waits for the run's head and its settle judges each client
// on every trigger of the run.
import type { PublishedTrigger } from "../../core/delivery-checker.js";
import type { RunTimeline } from "./run-timeline.js";

export interface SegmentMeeting {
  readonly segment: { text: string };
  arrive(stage: "ready" | "published", timeoutMs: number): Promise<void>;
  sharedStartMs(nowMs: number): Promise<number>;
  sharePublished(entries: readonly PublishedTrigger[]): Promise<void>;
  allPublished(): Promise<PublishedTrigger[]>;
}

/** Waits for every runner's connections; returns the epoch ms at which all runners start triggering. */
export async function segmentStartPhase(
  timeline: RunTimeline,
  meeting: SegmentMeeting,
  nowMs: () => number,
  timeoutMs: number,
): Promise<number> {
  await meeting.arrive("ready", timeoutMs);
  const startMs = await meeting.sharedStartMs(nowMs());
  timeline.event({
    kind: "info",
    name: "segments-ready",
    detail: `segment ${meeting.segment.text}: every runner connected; triggering from the shared start`,
  });
  return startMs;
}

/** Shares this runner's published triggers and adds every other runner's to `published`. */
export async function segmentPublishedPhase(
  timeline: RunTimeline,
  meeting: SegmentMeeting,
  published: { sorted(): PublishedTrigger[]; addShared(trigger: PublishedTrigger): void },
  timeoutMs: number,
): Promise<void> {
  const own = published.sorted();
  const ownPublishers = new Set(own.map((trigger) => trigger.publisher));
  await meeting.sharePublished(own);
  await meeting.arrive("published", timeoutMs);
  let shared = 0;
  for (const trigger of await meeting.allPublished()) {
    if (ownPublishers.has(trigger.publisher)) continue;
    published.addShared(trigger);
    shared += 1;
  }
  timeline.event({
    kind: "info",
    name: "segments-published",
    detail: `${own.length} triggers of this runner, ${shared} of the others`,
  });
}

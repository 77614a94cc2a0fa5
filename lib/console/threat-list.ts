// The feed's DOM: threats queue up as they arrive and are attached once per animation frame, newest
// first, with at most `maxRows` rows kept. Render latency (published_at → row attached) is read right after
// the batch is attached, so it includes queueing behind the frame, not just the socket.
// Every field is set with textContent: a description full of HTML or script shows as text and runs nothing.
import { epochNowMs } from "../core/epoch-clock.js";
import type { ThreatFrame } from "../core/threat-protocol.js";

export interface RenderedRow {
  frame: ThreatFrame;
  /** published_at → row attached: what the analyst waited for. */
  latencyMs: number;
  /** Message received by the page → row attached: the browser's own share of `latencyMs`. */
  pageDelayMs: number;
}

export interface ThreatListOptions {
  maxRows: number;
  /** Called once per attached batch, newest row first; `skipped` rows were dropped before attaching. */
  onRendered(rows: RenderedRow[], skipped: number): void;
}

export interface ThreatList {
  push(frame: ThreatFrame): void;
  /** A separator line between what came before and after, e.g. where the server's history restarted. */
  divide(text: string): void;
  /** Rows currently in the DOM. */
  readonly shown: number;
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
  hour12: false,
});

function latencyClass(ms: number): string {
  if (ms < 100) return "lat fast";
  if (ms < 1000) return "lat slow";
  return "lat late";
}

function formatLatency(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(0)} s`;
}

interface Received {
  frame: ThreatFrame;
  receivedAtMs: number;
}

export function createThreatList(
  container: HTMLElement,
  template: HTMLTemplateElement,
  options: ThreatListOptions,
): ThreatList {
  const prototype = template.content.firstElementChild;
  if (!prototype) throw new Error("the threat row template is empty; expected one row element");
  // A string in the queue is a divider, kept in arrival order between the threats around it.
  let pending: (Received | string)[] = [];
  let scheduled = false;
  let rowsInDom = 0;

  const buildDivider = (text: string): HTMLElement => {
    const divider = document.createElement("div");
    divider.className = "divider";
    divider.setAttribute("role", "separator");
    divider.textContent = text;
    return divider;
  };

  const buildRow = (frame: ThreatFrame): { row: HTMLElement; badge: HTMLElement } => {
    const row = prototype.cloneNode(true) as HTMLElement;
    const [time, severity, type, ip, description, origin, seq, badge] = Array.from(
      row.children,
    ) as HTMLElement[];
    const { threat } = frame;
    row.classList.add(`sev-${threat.severity}`);
    row.dataset.seq = String(frame.seq);
    row.dataset.origin = frame.pod_origin;
    if (time) time.textContent = timeFormat.format(frame.published_at);
    if (severity) severity.textContent = threat.severity;
    if (type) type.textContent = threat.type;
    if (ip) ip.textContent = threat.source_ip;
    if (description) {
      description.textContent = threat.description;
      description.title = threat.description;
    }
    if (origin) origin.textContent = frame.pod_origin;
    if (seq) seq.textContent = `#${frame.seq}`;
    return { row, badge: badge ?? row };
  };

  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    // Rows older than the newest maxRows would be removed in the same frame; never build them.
    const oldest = Math.max(0, batch.length - options.maxRows);
    const skipped = batch.slice(0, oldest).filter((item) => typeof item !== "string").length;
    const fragment = document.createDocumentFragment();
    const built: (Received & { badge: HTMLElement })[] = [];
    for (let i = batch.length - 1; i >= oldest; i--) {
      const item = batch[i] as Received | string;
      if (typeof item === "string") {
        fragment.append(buildDivider(item));
        continue;
      }
      const { row, badge } = buildRow(item.frame);
      fragment.append(row);
      built.push({ ...item, badge });
    }
    container.prepend(fragment);
    rowsInDom += built.length;
    for (let excess = container.childElementCount - options.maxRows; excess > 0; excess--) {
      const last = container.lastElementChild;
      if (last?.classList.contains("row")) rowsInDom -= 1;
      last?.remove();
    }
    const attachedAt = epochNowMs();
    const rendered = built.map(({ frame, receivedAtMs, badge }) => {
      const latencyMs = Math.max(0, attachedAt - frame.published_at);
      badge.textContent = formatLatency(latencyMs);
      badge.className = latencyClass(latencyMs);
      return { frame, latencyMs, pageDelayMs: attachedAt - receivedAtMs };
    });
    options.onRendered(rendered, skipped);
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // Hidden pages get no animation frames; fall back to a timer so rows still land (and are measured).
    if (document.visibilityState === "hidden") setTimeout(flush, 100);
    else requestAnimationFrame(flush);
  };

  return {
    push(frame) {
      pending.push({ frame, receivedAtMs: epochNowMs() });
      schedule();
    },
    divide(text) {
      pending.push(text);
      schedule();
    },
    get shown() {
      return rowsInDom;
    },
  };
}

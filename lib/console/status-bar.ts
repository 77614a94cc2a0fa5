// The console's header: which pod, whether the feed is live, counters, render latency, and the
// "history lost" notice. Updated at most once per animation frame or timer tick, never per threat.
import type { ConnectionState } from "./threat-socket.js";

export interface StatusBar {
  setPod(pod: string, resume: boolean): void;
  setState(state: ConnectionState, detail: string): void;
  setCounts(total: number, shown: number): void;
  setRate(perSecond: number, latency: { p50: number; p99: number } | undefined): void;
  /** Shows the notice and returns the local time it names. */
  showHistoryLost(epoch: string): string;
}

function required(root: ParentNode, selector: string): HTMLElement {
  const element = root.querySelector<HTMLElement>(selector);
  if (!element)
    throw new Error(`the console page has no ${selector} element; index.html and main.ts disagree`);
  return element;
}

const stateLabels: Record<ConnectionState, string> = {
  connecting: "Connecting",
  live: "Live",
  reconnecting: "Reconnecting",
};

const numberFormat = new Intl.NumberFormat("en-US");

export function createStatusBar(root: ParentNode, body: HTMLElement): StatusBar {
  const pod = required(root, "#pod");
  const mode = required(root, "#mode");
  const state = required(root, "#state");
  const detail = required(root, "#state-detail");
  const total = required(root, "#total");
  const shown = required(root, "#shown");
  const rate = required(root, "#rate");
  const p50 = required(root, "#p50");
  const p99 = required(root, "#p99");
  const notice = required(root, "#notice");
  const noticeText = required(root, "#notice-text");

  return {
    setPod(name, resume) {
      pod.textContent = name;
      mode.textContent = resume ? "resume on" : "no resume";
    },
    setState(next, text) {
      body.dataset.state = next;
      state.textContent = stateLabels[next];
      detail.textContent = text;
    },
    setCounts(totalCount, shownCount) {
      total.textContent = numberFormat.format(totalCount);
      shown.textContent = numberFormat.format(shownCount);
    },
    setRate(perSecond, latency) {
      rate.textContent = numberFormat.format(Math.round(perSecond));
      p50.textContent = latency ? `${latency.p50.toFixed(1)} ms` : "–";
      p99.textContent = latency ? `${latency.p99.toFixed(1)} ms` : "–";
    },
    showHistoryLost(epoch) {
      const at = new Date().toLocaleTimeString(undefined, { hour12: false });
      noticeText.textContent =
        `History lost at ${at}: the server's history was reset (epoch ${epoch}). ` +
        "Threats published before the reset that this console had not yet received cannot be shown.";
      notice.hidden = false;
      return at;
    },
  };
}

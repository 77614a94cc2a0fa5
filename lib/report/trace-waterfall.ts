// The slowest traced threat as an inline SVG waterfall: one row per span (trigger → HTTP → publish →
// each pod's delivery → each pod's receive), indented by depth, its bar placed on a shared time axis
// from the trigger's start, with the span's duration beside it. Every label is escaped by html``.
import type { ThreatTrace, WaterfallSpan } from "../core/threat-traces.js";
import { formatMs } from "./figure-format.js";
import { html, type SafeHtml } from "./safe-html.js";

const width = 1060;
const labelWidth = 330;
const durationWidth = 80;
const rowHeight = 24;
const axisHeight = 22;
const barArea = width - labelWidth - durationWidth;

/** Bar colors by span name; the engine's spans in blue shades, the pods' in warm ones. */
const spanColors: Record<string, string> = {
  "trigger threat": "#2563eb",
  "POST /api/threats/trigger": "#64748b",
  "publish threats": "#7c3aed",
  "deliver threat": "#ea580c",
  "receive threat": "#16a34a",
  "resume client": "#0891b2",
};

function label(span: WaterfallSpan): string {
  const where = span.pod ?? span.service;
  return `${span.name} · ${where}`;
}

/** Round tick spacing (1, 2 or 5 × 10^n ms) giving about five ticks over `totalMs`. */
function tickStepMs(totalMs: number): number {
  const raw = Math.max(totalMs, 0.001) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw);
  return step ?? 10 * magnitude;
}

export function renderTraceWaterfall(trace: ThreatTrace): SafeHtml {
  const totalMs = Math.max(trace.totalMs, 0.001);
  const x = (ms: number) => labelWidth + (Math.max(0, ms) / totalMs) * barArea;
  const height = axisHeight + trace.spans.length * rowHeight + 6;
  const step = tickStepMs(totalMs);
  const ticks: number[] = [];
  for (let t = 0; t <= totalMs + 1e-9 && ticks.length < 12; t += step) ticks.push(t);
  const rows = trace.spans.map((span, index) => {
    const y = axisHeight + index * rowHeight;
    const barX = x(span.offsetMs);
    const barWidth = Math.max(2, x(span.offsetMs + span.durationMs) - barX);
    const color = spanColors[span.name] ?? "#475569";
    return html`<g class="span-row"><title>${label(span)}: starts at +${formatMs(span.offsetMs)} ms, lasts ${formatMs(span.durationMs)} ms (span ${span.spanId})</title>
<text x="${4 + span.depth * 14}" y="${y + 16}" class="span-label">${label(span)}</text>
<rect x="${barX.toFixed(1)}" y="${y + 5}" width="${barWidth.toFixed(1)}" height="${rowHeight - 10}" rx="2" fill="${color}"/>
<text x="${width - durationWidth + 6}" y="${y + 16}" class="span-duration">${formatMs(span.durationMs)} ms</text></g>`;
  });
  const axis = ticks.map(
    (t) =>
      html`<line x1="${x(t).toFixed(1)}" y1="${axisHeight - 4}" x2="${x(t).toFixed(1)}" y2="${height}" class="tick"/><text x="${x(t).toFixed(1)}" y="${axisHeight - 8}" text-anchor="middle" class="tick-label">${formatMs(t)} ms</text>`,
  );
  return html`<svg class="waterfall" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="trace ${trace.traceId}: ${trace.spans.length} spans over ${formatMs(trace.totalMs)} ms">
${axis}
${rows}
</svg>`;
}

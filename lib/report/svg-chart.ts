// Inline SVG line charts for the HTML report: axes with round ticks, grid, axis titles, a legend,
// optional dots with tooltips, and numbered vertical markers for run events. Generated as a string
// (no DOM, no charting library) so it works offline and inside k6.
import { niceDomainTicks, type Tick } from "./axis-ticks.js";
import { escapeHtml } from "./html-escape.js";
import { downsampleMinMax, type XY } from "./series-downsample.js";

export interface ChartSeries {
  name: string;
  /** CSS color from the report's own palette. */
  color: string;
  points: readonly XY[];
  /** A dot with a hover tooltip at every point: for sparse series such as percentiles. */
  dots?: boolean;
  /** Shade the area under the line. */
  area?: boolean;
  dashed?: boolean;
}

export interface ChartMarker {
  x: number;
  /** Short text in the marker's badge: an event number. */
  badge: string;
  /** Hover text: what happened. */
  title: string;
  color: string;
}

export interface LineChartSpec {
  /** Accessible name of the chart. */
  title: string;
  xLabel: string;
  yLabel: string;
  xDomain: readonly [min: number, max: number];
  xTicks: readonly Tick[];
  series: readonly ChartSeries[];
  markers?: readonly ChartMarker[];
  /** Tooltip text for a point (dots only). */
  describePoint?: (series: ChartSeries, point: XY) => string;
  /** Shown instead of lines when no series has a point. */
  emptyMessage?: string;
  width?: number;
  height?: number;
}

/** Points drawn per series at most; see series-downsample.ts. */
const maxPointsPerSeries = 2000;

const margin = { top: 40, right: 24, bottom: 46, left: 64 };

export function renderLineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 760;
  const height = spec.height ?? 280;
  const plot = {
    left: margin.left,
    top: margin.top,
    right: width - margin.right,
    bottom: height - margin.bottom,
  };
  const [xMin, xMax] = spec.xDomain;
  const xSpan = xMax > xMin ? xMax - xMin : 1;
  const series = spec.series.map((s) => ({ ...s, points: downsampleMinMax(s.points, maxPointsPerSeries) }));
  const yMaxData = Math.max(0, ...series.flatMap((s) => s.points.map((point) => point[1])));
  // Headroom above the highest point so a flat line at its maximum does not sit on the frame.
  const y = niceDomainTicks(yMaxData * 1.06);
  const scaleX = (value: number) => plot.left + ((value - xMin) / xSpan) * (plot.right - plot.left);
  const scaleY = (value: number) => plot.bottom - (value / y.top) * (plot.bottom - plot.top);
  const hasData = series.some((s) => s.points.length > 0);

  const parts: string[] = [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(spec.title)}">`,
    `<title>${escapeHtml(spec.title)}</title>`,
  ];
  parts.push('<g class="grid">');
  for (const tick of y.ticks) {
    const ty = fixed(scaleY(tick.value));
    parts.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${ty}" y2="${ty}"/>`);
  }
  parts.push("</g>");
  parts.push('<g class="axis axis-y">');
  for (const tick of y.ticks) {
    parts.push(
      `<text x="${plot.left - 8}" y="${fixed(scaleY(tick.value))}" text-anchor="end" dominant-baseline="middle">${escapeHtml(tick.label)}</text>`,
    );
  }
  parts.push("</g>");
  parts.push('<g class="axis axis-x">');
  parts.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}"/>`);
  for (const tick of spec.xTicks) {
    if (tick.value < xMin || tick.value > xMax) continue;
    const tx = fixed(scaleX(tick.value));
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${plot.bottom}" y2="${plot.bottom + 5}"/>`);
    parts.push(
      `<text x="${tx}" y="${plot.bottom + 18}" text-anchor="middle">${escapeHtml(tick.label)}</text>`,
    );
  }
  parts.push("</g>");
  parts.push(
    `<text class="axis-title" x="${fixed((plot.left + plot.right) / 2)}" y="${height - 6}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`,
    `<text class="axis-title" transform="translate(16 ${fixed((plot.top + plot.bottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`,
  );

  for (const marker of spec.markers ?? []) {
    if (marker.x < xMin || marker.x > xMax) continue;
    const mx = fixed(scaleX(marker.x));
    const color = escapeHtml(marker.color);
    parts.push(
      `<g class="marker"><title>${escapeHtml(marker.title)}</title>`,
      `<line x1="${mx}" x2="${mx}" y1="${plot.top - 4}" y2="${plot.bottom}" stroke="${color}"/>`,
      `<circle cx="${mx}" cy="${plot.top - 12}" r="8" fill="${color}"/>`,
      `<text x="${mx}" y="${plot.top - 12}" text-anchor="middle" dominant-baseline="central">${escapeHtml(marker.badge)}</text></g>`,
    );
  }

  if (!hasData) {
    parts.push(
      `<text class="empty" x="${fixed((plot.left + plot.right) / 2)}" y="${fixed((plot.top + plot.bottom) / 2)}" text-anchor="middle">${escapeHtml(spec.emptyMessage ?? "no samples")}</text>`,
    );
  }
  for (const s of series) {
    if (s.points.length === 0) continue;
    const color = escapeHtml(s.color);
    const coordinates = s.points.map((point) => `${fixed(scaleX(point[0]))} ${fixed(scaleY(point[1]))}`);
    const line = `M${coordinates.join(" L")}`;
    parts.push(`<g class="series" data-series="${escapeHtml(s.name)}">`);
    if (s.area && s.points.length > 1) {
      const first = s.points[0];
      const last = s.points[s.points.length - 1];
      if (first !== undefined && last !== undefined) {
        parts.push(
          `<path class="area" d="${line} L${fixed(scaleX(last[0]))} ${plot.bottom} L${fixed(scaleX(first[0]))} ${plot.bottom} Z" fill="${color}"/>`,
        );
      }
    }
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : "";
    parts.push(`<path class="line" d="${line}" stroke="${color}"${dash}/>`);
    if (s.dots) {
      for (const point of s.points) {
        const tip = spec.describePoint?.(s, point) ?? `${s.name}: ${point[1]}`;
        parts.push(
          `<circle class="dot" cx="${fixed(scaleX(point[0]))}" cy="${fixed(scaleY(point[1]))}" r="4" fill="${color}"><title>${escapeHtml(tip)}</title></circle>`,
        );
      }
    }
    parts.push("</g>");
  }

  parts.push(legend(spec.series, plot.right));
  parts.push("</svg>");
  return parts.join("");
}

function legend(series: readonly ChartSeries[], right: number): string {
  const entries: string[] = [];
  let x = right;
  for (const s of [...series].reverse()) {
    const textWidth = s.name.length * 6.6;
    x -= textWidth + 22;
    entries.push(
      `<g class="legend-entry"><rect x="${fixed(x)}" y="6" width="14" height="4" rx="2" fill="${escapeHtml(s.color)}"/>` +
        `<text x="${fixed(x + 18)}" y="8" dominant-baseline="middle">${escapeHtml(s.name)}</text></g>`,
    );
    x -= 12;
  }
  return `<g class="legend">${entries.join("")}</g>`;
}

function fixed(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : "0";
}

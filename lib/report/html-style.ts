// The HTML report's stylesheet, inlined into the page so the file works offline and from an
// attachment. System fonts only; colors follow the chart palette in report-charts.ts.

export const htmlReportStyle = `
:root { color-scheme: light; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --panel: #ffffff;
  --bg: #f1f5f9; --pass: #15803d; --pass-bg: #dcfce7; --fail: #b91c1c; --fail-bg: #fee2e2; --warn: #a16207; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 16px; margin: 0 0 12px; }
h3 { font-size: 14px; margin: 0 0 2px; }
.subtitle { color: var(--muted); margin: 0 0 16px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px;
  margin: 0 0 16px; }
.verdict { display: flex; gap: 16px; align-items: flex-start; border-width: 2px; }
.verdict.pass { border-color: var(--pass); background: var(--pass-bg); }
.verdict.fail { border-color: var(--fail); background: var(--fail-bg); }
.verdict-word { font-size: 26px; font-weight: 800; letter-spacing: 0.04em; padding: 2px 14px; border-radius: 8px;
  color: #fff; }
.pass .verdict-word { background: var(--pass); }
.fail .verdict-word { background: var(--fail); }
.verdict ul { margin: 0; padding: 0; list-style: none; }
.verdict li.reason { color: var(--fail); font-weight: 600; }
.verdict .facts { color: #334155; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #f8fafc; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 20px; font-weight: 700; font-variant-numeric: tabular-nums; }
.card.bad .value { color: var(--fail); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: none; border-bottom: 2px solid var(--line); }
tr.group th { text-align: left; background: #f8fafc; color: var(--ink); font-size: 12px; letter-spacing: 0.02em; }
td.bad { color: var(--fail); font-weight: 700; }
td.warn { color: var(--warn); font-weight: 600; }
td.text, th.text { text-align: left; white-space: normal; word-break: break-word; }
.scroll { overflow-x: auto; }
.ok { color: var(--pass); font-weight: 700; }
.ko { color: var(--fail); font-weight: 700; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; }
figure { margin: 0; }
figure.wide { grid-column: 1 / -1; }
figcaption { color: var(--muted); font-size: 12px; margin: 0 0 6px; }
svg.chart { width: 100%; height: auto; display: block; font-size: 11px; }
svg.chart .grid line { stroke: #e2e8f0; }
svg.chart .axis line { stroke: #94a3b8; }
svg.chart .axis text { fill: #475569; }
svg.chart .axis-title { fill: #334155; font-weight: 600; }
svg.chart .legend text { fill: #334155; }
svg.chart .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg.chart .area { opacity: 0.12; stroke: none; }
svg.chart .dot { stroke: #fff; stroke-width: 1.5; }
svg.chart .dot:hover { r: 6; }
svg.chart .marker line { stroke-width: 1.5; stroke-dasharray: 4 3; opacity: 0.8; }
svg.chart .marker text { fill: #fff; font-size: 10px; font-weight: 700; }
svg.chart .empty { fill: var(--muted); font-size: 13px; }
.kind { display: inline-block; padding: 0 8px; border-radius: 999px; color: #fff; font-size: 12px; }
.badge-number { display: inline-block; min-width: 20px; text-align: center; border-radius: 999px; color: #fff;
  font-size: 11px; font-weight: 700; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.run dt { color: var(--muted); }
dl.run dd { margin: 0; word-break: break-word; }
footer { color: var(--muted); font-size: 12px; text-align: center; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
svg.waterfall { width: 100%; min-width: 760px; height: auto; font-size: 12px; }
svg.waterfall .span-label { fill: var(--ink); }
svg.waterfall .span-duration, svg.waterfall .tick-label { fill: var(--muted); font-variant-numeric: tabular-nums; }
svg.waterfall .tick { stroke: var(--line); }
`;

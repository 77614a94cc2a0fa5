// The live dashboard's page: one self-contained HTML document (no CDN, no framework) whose inline script
// listens to /events (server-sent events) and swaps in the status line, per-pod figures and server-drawn
// SVG charts, styled by the HTML report's own stylesheet; at the end it shows the verdict and the full
// HTML report from /report.
import { escapeHtml } from "../../report/html-escape.js";
import { htmlReportStyle } from "../../report/html-style.js";

const style = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #0f172a; background: #f8fafc; }
h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
#status { font-family: ui-monospace, monospace; margin: .5rem 0 1rem; }
#verdict { display: none; padding: .75rem 1rem; border-radius: 6px; font-weight: 600; margin-bottom: 1rem; }
#verdict.pass { display: block; background: #dcfce7; color: #14532d; }
#verdict.fail { display: block; background: #fee2e2; color: #7f1d1d; }
#pods { list-style: none; padding: 0; font-family: ui-monospace, monospace; }
#charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(720px, 1fr)); gap: 1rem; }
.panel h2 { font-size: .95rem; margin: .25rem .5rem; }
.panel { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; padding: .5rem; }
#report { width: 100%; height: 80vh; border: 1px solid #e2e8f0; display: none; margin-top: 1rem; }
#connection { color: #64748b; font-size: .85rem; }
`;

const script = `
const $ = (id) => document.getElementById(id);
const events = new EventSource("/events");
events.addEventListener("update", (message) => {
  const update = JSON.parse(message.data);
  $("status").textContent = update.status;
  $("markers").textContent = update.markers === 0 ? "no chaos yet" : update.markers + " chaos events";
  const pods = $("pods");
  pods.replaceChildren(...update.pods.map((pod) => {
    const item = document.createElement("li");
    item.dataset.pod = pod.pod;
    item.textContent = pod.pod + ": " + pod.text;
    return item;
  }));
  for (const chart of update.charts) {
    let box = document.getElementById(chart.id);
    if (!box) {
      box = document.createElement("div");
      box.id = chart.id;
      box.className = "panel";
      const heading = document.createElement("h2");
      heading.textContent = chart.title;
      const figure = document.createElement("div");
      figure.className = "figure";
      box.append(heading, figure);
      $("charts").append(box);
    }
    box.querySelector(".figure").innerHTML = chart.svg;
  }
  document.body.dataset.updates = String(Number(document.body.dataset.updates || "0") + 1);
});
events.addEventListener("final", (message) => {
  const final = JSON.parse(message.data);
  const verdict = $("verdict");
  verdict.textContent = final.line;
  verdict.className = final.pass ? "pass" : "fail";
  const report = $("report");
  report.src = "/report";
  report.style.display = "block";
  $("connection").textContent = "run finished";
  document.body.dataset.final = final.word;
  events.close();
});
events.onerror = () => { if (!document.body.dataset.final) $("connection").textContent = "reconnecting…"; };
`;

export function renderDashboardPage(runId: string, profile: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>crosspod ${escapeHtml(profile)} · ${escapeHtml(runId)}</title>
<style>${htmlReportStyle}${style}</style>
</head>
<body>
<h1>crosspod run ${escapeHtml(profile)} <small>${escapeHtml(runId)}</small></h1>
<div id="connection">live</div>
<div id="verdict" role="status"></div>
<div id="status">starting</div>
<div id="markers">no chaos yet</div>
<ul id="pods"></ul>
<div id="charts"></div>
<iframe id="report" title="final report"></iframe>
<script>${script}</script>
</body>
</html>
`;
}

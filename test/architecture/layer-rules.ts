// The layer rules of STYLE.md as data, and the check of import arrows against them. Pure, so a test can
// feed it a synthetic list and see it fail.

/** The top of the tree (the CLI, the benchmarks) may use any layer; nothing imports the CLI. */
const everyLayerButCli = [
  "lib/backend",
  "lib/chaos",
  "lib/cluster",
  "lib/core",
  "lib/engine",
  "lib/kubernetes",
  "lib/node-platform",
  "lib/report",
  "lib/tracing",
];

/** Layers a file may import from, besides its own. A folder not listed here is refused until it is. */
export const allowedImports: Readonly<Record<string, readonly string[]>> = {
  // Runtime-neutral: imports nothing of ours (its neutrality itself is test/core/runtime-neutral.test.ts).
  "lib/core": [],
  // Node-only helpers several layers share (binary lookup, child-process teardown).
  "lib/node-platform": ["lib/core"],
  // OpenTelemetry wiring, a Node-only platform piece the backend and the engine both trace with.
  "lib/tracing": ["lib/core", "lib/node-platform"],
  "lib/backend": ["lib/core", "lib/tracing"],
  "lib/report": ["lib/core"],
  "lib/console": ["lib/core"],
  "lib/cluster": ["lib/core", "lib/node-platform"],
  "lib/chaos": ["lib/cluster", "lib/core", "lib/node-platform"],
  // The live run dashboard draws with the report's charts; report imports only core, so no cycle.
  "lib/engine": ["lib/core", "lib/node-platform", "lib/report", "lib/tracing"],
  // The Kubernetes objects of a distributed k6 run (plain data, rendered by the CLI).
  "lib/kubernetes": ["lib/core"],
  "lib/cli": everyLayerButCli,
  scenarios: ["lib/core", "lib/report"],
  dashboards: ["lib/core"],
  bench: everyLayerButCli,
};

/** lib/<folder>, or the top-level folder (scenarios, dashboards, bench); undefined outside the checked tree. */
export function layerOf(path: string): string | undefined {
  const [top, second] = path.split("/");
  if (top === "lib") return second !== undefined && path.includes("/", 4) ? `lib/${second}` : undefined;
  return top === "scenarios" || top === "dashboards" || top === "bench" ? top : undefined;
}

export interface ImportArrow {
  /** Repository-relative path of the importing file. */
  from: string;
  /** Repository-relative path of the imported file (without extension), or a package name. */
  to: string;
}

/** One line per arrow against the rules (once per file for an unknown layer); empty when all is well. */
export function layerViolations(arrows: readonly ImportArrow[]): string[] {
  const problems = new Set<string>();
  for (const { from, to } of arrows) {
    const source = layerOf(from);
    if (source === undefined) continue;
    const allowed = allowedImports[source];
    if (allowed === undefined) {
      problems.add(
        `${from}: ${source} is not a known layer; add it to STYLE.md and test/architecture/layer-rules.ts`,
      );
      continue;
    }
    const target = layerOf(to);
    if (target === undefined || target === source) continue;
    if (!allowed.includes(target)) {
      const may = allowed.length === 0 ? "nothing of ours" : allowed.join(", ");
      problems.add(`${from} imports ${to}: ${source} may import ${may}`);
    }
  }
  return [...problems];
}

export interface FunctionSpan {
  file: string;
  name: string;
  line: number;
  lines: number;
}

/** Functions longer than `maxLines` in files under one of `folders`. */
export function longFunctions(
  spans: readonly FunctionSpan[],
  folders: readonly string[],
  maxLines: number,
): string[] {
  return spans
    .filter((span) => span.lines > maxLines && folders.some((folder) => span.file.startsWith(`${folder}/`)))
    .map((span) => `${span.file}:${span.line} ${span.name} is ${span.lines} lines (at most ${maxLines})`);
}

// Reads chosen gauges out of a Prometheus text exposition (a pod's /metrics), summing a metric's series over
// its label sets. Enough for sampling a pod's resources; not a general OpenMetrics parser.

const samplePattern = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/;

/** name -> sum of its samples, for the names asked for that appear in `text` with a numeric value. */
export function readPrometheusGauges(text: string, names: readonly string[]): Map<string, number> {
  const wanted = new Set(names);
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.length === 0 || line.startsWith("#")) continue;
    const match = samplePattern.exec(line);
    if (!match) continue;
    const [, name = "", , valueText = ""] = match;
    if (!wanted.has(name)) continue;
    const value = Number(valueText);
    if (!Number.isFinite(value)) continue;
    values.set(name, (values.get(name) ?? 0) + value);
  }
  return values;
}

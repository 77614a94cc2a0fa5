// Section 6: k6 on the same workload, when a k6 binary is found (K6_BIN, then PATH). This machine has
// none; the row then says so and the bench goes on.
import { findBinary } from "../../lib/node-platform/find-binary.js";
import { type BenchRow, skippedRow } from "../bench-row.js";

const section = "k6";

export function k6Rows(): BenchRow[] {
  const k6 = findBinary("k6", process.env.K6_BIN);
  if (k6 === undefined) {
    return [skippedRow(section, "k6 engine", "skipped: no k6 binary (set K6_BIN or put k6 on PATH)")];
  }
  return [
    skippedRow(
      section,
      "k6 engine",
      `skipped: k6 found at ${k6}, but the k6 density and fan-out comparison is not built into this bench yet`,
    ),
  ];
}

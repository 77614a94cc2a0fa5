// `crosspod report render <report.json>`: re-renders any saved report (a finished run's --out, a merge, a
// --checkpoint DIR/checkpoint.json left by a run that was killed) as the console summary, HTML and JSON.
import type { Command } from "commander";
import { exitCodes } from "../cli-error.js";
import { emitReport } from "../report-output.js";
import { readReport } from "./report.js";

interface RenderFlags {
  out?: string;
  html?: string;
}

async function renderAction(file: string, flags: RenderFlags): Promise<void> {
  const report = await readReport(file);
  await emitReport(report, { outFile: flags.out, htmlFile: flags.html });
  // Rendering succeeded; the report's own verdict is in what was printed, not in the exit code.
  process.exitCode = exitCodes.ok;
}

export function registerReportRenderCommand(report: Command): void {
  report
    .command("render")
    .description(
      "Re-render a saved report (--out of a run, a merge, or a --checkpoint DIR/checkpoint.json): console summary, and HTML/JSON where asked",
    )
    .argument("<file>", "a crosspod JSON report")
    .option("--html <file>", "write the HTML report here")
    .option("--out <file>", "write the (validated) JSON report here")
    .addHelpText("after", `\nExit codes: 0 rendered, ${exitCodes.usage} unreadable or not a crosspod report.`)
    .action(renderAction);
}

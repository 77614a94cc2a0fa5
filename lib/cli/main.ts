// The `crosspod` command: one sub-command per file in ./commands, registered here.
import { Command } from "commander";
import { runEngineWorker } from "../engine/engine-worker.js";
import { crosspodVersion, helpExamples, usageHint } from "./cli-help.js";
import { backendCommand } from "./commands/backend.js";
import { registerChaosCommand } from "./commands/chaos.js";
import { registerK6Command } from "./commands/k6.js";
import { registerK8sCommand } from "./commands/k8s.js";
import { registerProfilesCommand } from "./commands/profiles.js";
import { registerReportCommand } from "./commands/report.js";
import { registerReportCompareCommand } from "./commands/report-compare.js";
import { registerReportRenderCommand } from "./commands/report-render.js";
import { registerRunCommand } from "./commands/run.js";
import { registerTargetCommand } from "./commands/target.js";
import { registerUpCommand } from "./commands/up.js";
import { debugRequested, errorExit } from "./error-exit.js";

const program = new Command()
  .name("crosspod")
  .description("Load and chaos testing for WebSocket fan-out across replicas over Redis Pub/Sub")
  .version(crosspodVersion(), "-V, --version", "print the version")
  .option("--debug", "print the stack trace of an error (also CROSSPOD_DEBUG=1)")
  .showHelpAfterError(usageHint)
  .addHelpText("after", helpExamples)
  .exitOverride();
registerUpCommand(program);
registerRunCommand(program);
registerK6Command(program);
registerChaosCommand(program);
registerTargetCommand(program);
const reportCommand = registerReportCommand(program);
registerReportRenderCommand(reportCommand);
registerReportCompareCommand(reportCommand);
registerProfilesCommand(program);
registerK8sCommand(program);

program.addCommand(backendCommand());
program
  .command("engine-worker", { hidden: true })
  .description("Hold a share of a run's connections for the engine that forked this process (IPC)")
  .action(() => runEngineWorker());

const debug = debugRequested(process.argv, process.env);
try {
  // --debug is taken out before parsing so that it works after any sub-command too.
  await program.parseAsync(process.argv.filter((arg) => arg !== "--debug"));
} catch (error) {
  const exit = errorExit(error, debug);
  for (const line of exit.lines) console.error(line);
  process.exitCode = exit.exitCode;
}

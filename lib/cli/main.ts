// The `crosspod` command: one sub-command per file in ./commands, registered here.
import { Command, CommanderError } from "commander";
import { runEngineWorker } from "../engine/engine-worker.js";
import { CLIError, exitCodes } from "./cli-error.js";
import { crosspodVersion, helpExamples, usageHint } from "./cli-help.js";
import { backendCommand } from "./commands/backend.js";
import { registerChaosCommand } from "./commands/chaos.js";
import { registerProfilesCommand } from "./commands/profiles.js";
import { registerReportCommand } from "./commands/report.js";
import { registerRunCommand } from "./commands/run.js";
import { registerTargetCommand } from "./commands/target.js";
import { registerUpCommand } from "./commands/up.js";

const program = new Command()
  .name("crosspod")
  .description("Load and chaos testing for WebSocket fan-out across replicas over Redis Pub/Sub")
  .version(crosspodVersion(), "-V, --version", "print the version")
  .showHelpAfterError(usageHint)
  .addHelpText("after", helpExamples)
  .exitOverride();
registerUpCommand(program);
registerRunCommand(program);
registerChaosCommand(program);
registerTargetCommand(program);
registerReportCommand(program);
registerProfilesCommand(program);

program.addCommand(backendCommand());
program
  .command("engine-worker", { hidden: true })
  .description("Hold a share of a run's connections for the engine that forked this process (IPC)")
  .action(() => runEngineWorker());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  } else if (error instanceof CLIError) {
    console.error(`crosspod: ${error.message}`);
    process.exitCode = error.exitCode;
  } else {
    console.error(error);
    process.exitCode = exitCodes.internal;
  }
}

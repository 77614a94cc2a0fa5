// Locates the built CLI (dist/cli.js) that backend replicas run as `node <cli> backend`.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ClusterError } from "./cluster-error.js";

export function defaultCliPath(): string {
  const here = fileURLToPath(import.meta.url);
  // Bundled, this module is dist/cli.js itself; from source (tests, tsx) it sits in lib/cluster.
  return here.endsWith("/dist/cli.js") ? here : resolve(dirname(here), "../../dist/cli.js");
}

export function requireBuiltCli(cliPath: string): string {
  if (!existsSync(cliPath)) {
    throw new ClusterError(
      `the backend CLI ${cliPath} does not exist; run \`npm run build\` first or pass cliPath`,
      "CROSSPOD_CLI_NOT_BUILT",
    );
  }
  return cliPath;
}

// Reads the repository's TypeScript through the compiler's API (the tsgo project service): every file's
// relative imports (static, re-exports, dynamic) and the length of every function, for the architecture test.
import { dirname, join, relative, resolve } from "node:path";
import {
  isCallExpression,
  isExportDeclaration,
  isFunctionLikeDeclaration,
  isImportDeclaration,
  isStringLiteral,
  type Node,
  SyntaxKind,
} from "typescript/unstable/ast";
import { API } from "typescript/unstable/sync";
import type { FunctionSpan, ImportArrow } from "./layer-rules.js";

/** The projects that together cover lib/, scenarios/, dashboards/ and bench/. */
const projects = ["tsconfig.json", "lib/console/tsconfig.json", "scenarios/tsconfig.json"];
const checkedFolders = ["lib/", "scenarios/", "dashboards/", "bench/"];

export interface SourceFacts {
  files: string[];
  arrows: ImportArrow[];
  functions: FunctionSpan[];
}

function specifierOf(node: Node): string | undefined {
  if ((isImportDeclaration(node) || isExportDeclaration(node)) && node.moduleSpecifier) {
    return isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : undefined;
  }
  if (isCallExpression(node) && node.expression.kind === SyntaxKind.ImportKeyword) {
    const [argument] = node.arguments;
    return argument && isStringLiteral(argument) ? argument.text : undefined;
  }
  return undefined;
}

export function readSourceFacts(root: string): SourceFacts {
  const api = new API({ cwd: root });
  try {
    const snapshot = api.updateSnapshot({ openProjects: projects.map((path) => join(root, path)) });
    const facts: SourceFacts = { files: [], arrows: [], functions: [] };
    const seen = new Set<string>();
    for (const project of snapshot.getProjects()) {
      for (const fileName of project.program.getSourceFileNames()) {
        const file = relative(root, fileName);
        if (seen.has(file) || !checkedFolders.some((folder) => file.startsWith(folder))) continue;
        seen.add(file);
        const source = project.program.getSourceFile(fileName);
        if (!source) continue;
        facts.files.push(file);
        const visit = (node: Node): void => {
          const specifier = specifierOf(node);
          if (specifier?.startsWith(".")) {
            const target = relative(root, resolve(dirname(fileName), specifier)).replace(/\.[cm]?js$/, "");
            facts.arrows.push({ from: file, to: target });
          }
          if (isFunctionLikeDeclaration(node) && node.body) {
            const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
            const end = source.getLineAndCharacterOfPosition(node.end).line;
            const name =
              "name" in node && node.name
                ? source.text.slice(node.name.pos, node.name.end).trim()
                : "(anonymous)";
            facts.functions.push({ file, name, line: start + 1, lines: end - start + 1 });
          }
          node.forEachChild(visit);
        };
        visit(source);
      }
    }
    return facts;
  } finally {
    api.close();
  }
}

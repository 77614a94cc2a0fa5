// Serves the SOC browser console (dist/console, built by scripts/build.ts from lib/console) at GET / and
// GET /console.js, read from disk once and kept in memory. A strict Content-Security-Policy backs up the
// console's text-only rendering: even if markup slipped into the DOM, no inline or foreign script could run.
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { errorBody, sendJson } from "./http-response.js";

const files: Record<string, { name: string; type: string }> = {
  "/": { name: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { name: "index.html", type: "text/html; charset=utf-8" },
  "/console.js": { name: "console.js", type: "text/javascript; charset=utf-8" },
  "/console.js.map": { name: "console.js.map", type: "application/json; charset=utf-8" },
};

// connect-src stays open to http(s): the Faro collector URL is chosen per page (?faro=), not per pod.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss: http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** dist/console beside the bundled CLI (dist/cli.js), or from source (lib/backend) the repo's dist/console. */
export function defaultConsoleDir(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith("/dist/cli.js")
    ? join(dirname(here), "console")
    : resolve(dirname(here), "../../dist/console");
}

export interface ConsoleAssets {
  /** Answers GET/HEAD for the console's files and returns true; returns false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export function createConsoleAssets(dir = defaultConsoleDir()): ConsoleAssets {
  const cache = new Map<string, Buffer>();
  const load = async (name: string): Promise<Buffer | undefined> => {
    const cached = cache.get(name);
    if (cached) return cached;
    try {
      const content = await readFile(join(dir, name));
      cache.set(name, content);
      return content;
    } catch {
      return undefined;
    }
  };

  return {
    async handle(req, res) {
      if (req.method !== "GET" && req.method !== "HEAD") return false;
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const file = files[path];
      if (!file) return false;
      const content = await load(file.name);
      if (!content) {
        sendJson(
          res,
          404,
          errorBody(
            "console_not_built",
            `the browser console is not built (no ${join(dir, file.name)}); run npm run build`,
          ),
        );
        return true;
      }
      res.writeHead(200, {
        "content-type": file.type,
        "content-length": content.length,
        "cache-control": "no-cache",
        "content-security-policy": contentSecurityPolicy,
        "x-content-type-options": "nosniff",
      });
      res.end(req.method === "HEAD" ? undefined : content);
      return true;
    },
  };
}

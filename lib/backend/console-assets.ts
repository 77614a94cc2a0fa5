// Routes serving the SOC browser console (dist/console, built by scripts/build.ts from lib/console) at
// GET / and GET /console.js, read from disk once and kept in memory. A strict Content-Security-Policy backs
// up the console's text-only rendering: even if markup slipped into the DOM, no inline or foreign script
// could run.
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpError } from "./http-error.js";
import type { Route } from "./http-router.js";

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

export function consoleRoutes(dir = defaultConsoleDir()): Route[] {
  const cache = new Map<string, Buffer>();
  const load = async (name: string): Promise<Buffer> => {
    const cached = cache.get(name);
    if (cached) return cached;
    let content: Buffer;
    try {
      content = await readFile(join(dir, name));
    } catch {
      throw new HttpError(
        404,
        "console_not_built",
        `the browser console is not built (no ${join(dir, name)}); run npm run build`,
      );
    }
    cache.set(name, content);
    return content;
  };
  const file = (path: RegExp, name: string, type: string): Route => ({
    path,
    methods: {
      GET: async ({ res }) => {
        const content = await load(name);
        res.writeHead(200, {
          "content-type": type,
          "content-length": content.length,
          "cache-control": "no-cache",
          "content-security-policy": contentSecurityPolicy,
          "x-content-type-options": "nosniff",
        });
        res.end(content);
      },
    },
  });
  return [
    file(/^\/(?:index\.html)?$/, "index.html", "text/html; charset=utf-8"),
    file(/^\/console\.js$/, "console.js", "text/javascript; charset=utf-8"),
    file(/^\/console\.js\.map$/, "console.js.map", "application/json; charset=utf-8"),
  ];
}

import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Env } from "../env.ts";
import type { AppBindings } from "./context.ts";

export const DASHBOARD_DIR = fileURLToPath(new URL("../../../dist/web", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".map": "application/json",
};
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".json", ".txt", ".map"]);
// Vite puts content-hashed files here: their name changes whenever their bytes do.
const HASHED_PREFIX = "/assets/";
const IMMUTABLE = "public, max-age=31536000, immutable";

interface CachedFile {
  mtimeMs: number;
  body: Buffer;
  gzipped: Buffer | null;
}

export const DASHBOARD_CONFIG_PATH = "/api/dashboard/config";

/** What the dashboard needs to know about this server before anyone signs in; nothing secret. */
export interface DashboardConfig {
  github: { appSlug: string | null; installUrl: string | null };
}

export function dashboardConfig(env: Pick<Env, "GITHUB_APP_SLUG">): DashboardConfig {
  const appSlug = env.GITHUB_APP_SLUG ?? null;
  const installUrl = appSlug
    ? `https://github.com/apps/${encodeURIComponent(appSlug)}/installations/new`
    : null;
  return { github: { appSlug, installUrl } };
}

/**
 * Serves the built dashboard (dist/web): files as they are, hashed assets cached for a year, and
 * index.html for every other non-API path so the single-page app can route it. Registered after
 * the API routes; /api/* never reaches index.html and keeps its JSON 404.
 */
export function registerStatic(
  app: OpenAPIHono<AppBindings>,
  env: Pick<Env, "GITHUB_APP_SLUG">,
  root: string = DASHBOARD_DIR,
): void {
  const config = dashboardConfig(env);
  app.get(DASHBOARD_CONFIG_PATH, (c) => c.json(config));

  const cache = new Map<string, CachedFile>();

  async function load(path: string): Promise<CachedFile | null> {
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return null;
    const hit = cache.get(path);
    if (hit && hit.mtimeMs === info.mtimeMs) return hit;
    const body = await readFile(path);
    const gzipped = COMPRESSIBLE.has(extname(path)) && body.length > 1024 ? gzipSync(body) : null;
    const entry = { mtimeMs: info.mtimeMs, body, gzipped };
    cache.set(path, entry);
    return entry;
  }

  function send(c: Context<AppBindings>, file: CachedFile, path: string, cacheControl: string): Response {
    const headers: Record<string, string> = {
      "content-type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
      "cache-control": cacheControl,
      vary: "accept-encoding",
      "x-content-type-options": "nosniff",
    };
    const body = file.gzipped && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "") ? file.gzipped : null;
    if (body) headers["content-encoding"] = "gzip";
    const bytes = body ?? file.body;
    return c.body(new Uint8Array(bytes), 200, headers);
  }

  // Hono answers HEAD from GET routes, without the body.
  app.get("*", async (c, next) => {
    const urlPath = decodeSafely(c.req.path);
    if (urlPath === null || urlPath === "/api" || urlPath.startsWith("/api/")) return next();

    const candidate = normalize(join(root, urlPath));
    if (candidate.startsWith(root + sep) && !urlPath.endsWith("/")) {
      const file = await load(candidate);
      if (file) return send(c, file, candidate, urlPath.startsWith(HASHED_PREFIX) ? IMMUTABLE : "no-cache");
    }
    // A missing hashed asset is a stale page asking for an old build: a 404, not HTML posing as JS.
    if (urlPath.startsWith(HASHED_PREFIX) || extname(urlPath) !== "") return next();

    const indexPath = join(root, "index.html");
    const index = await load(indexPath);
    if (!index) {
      return c.text(
        "The dashboard is not built yet: run `npm run build` (or `npm start`, which builds it).",
        503,
      );
    }
    return send(c, index, indexPath, "no-cache");
  });
}

function decodeSafely(path: string): string | null {
  try {
    const decoded = decodeURIComponent(path);
    return decoded.includes("\0") ? null : decoded;
  } catch {
    return null;
  }
}

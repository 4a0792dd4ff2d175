import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { AppBindings } from "../../../src/server/http/context.ts";
import { registerStatic } from "../../../src/server/http/static.ts";

let root: string;
const INDEX = "<!doctype html><title>Sentinel</title><div id=root></div>";
const SCRIPT = `console.log(${JSON.stringify("x".repeat(5000))});`;

function appFor(dir: string, slug?: string) {
  const app = new OpenAPIHono<AppBindings>();
  app.get("/api/v1/organization", (c) => c.json({ slug: "acme" }));
  registerStatic(app, { GITHUB_APP_SLUG: slug }, dir);
  app.notFound((c) =>
    c.json({ code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` }, 404),
  );
  return app;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "sentinel-static-"));
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), INDEX);
  writeFileSync(join(root, "assets/index-abc123.js"), SCRIPT);
  writeFileSync(join(tmpdir(), "sentinel-static-secret.txt"), "secret");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("dashboard static files", () => {
  test("any page path gets index.html, never cached, so the app can route it", async () => {
    const res = await appFor(root).request("/o/acme/incidents?status=resolved");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toBe(INDEX);
  });

  test("hashed assets are cached for a year and gzipped for clients that accept it", async () => {
    const app = appFor(root);
    const res = await app.request("/assets/index-abc123.js", { headers: { "accept-encoding": "gzip, br" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-type")).toContain("text/javascript");
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(SCRIPT);

    const plain = await app.request("/assets/index-abc123.js");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);
  });

  test("a missing asset is a 404, not index.html posing as JavaScript", async () => {
    const res = await appFor(root).request("/assets/index-old999.js");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
  });

  test("API paths keep their JSON answers and JSON 404", async () => {
    const app = appFor(root);
    expect(await (await app.request("/api/v1/organization")).json()).toEqual({ slug: "acme" });
    const missing = await app.request("/api/v1/nothing-here");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: "not_found" });
  });

  test("paths cannot climb out of the dashboard directory", async () => {
    // The file exists one level above the root; it must not be served.
    const res = await appFor(root).request("/..%2Fsentinel-static-secret.txt");
    expect(res.status).toBe(404);
    expect(await res.text()).not.toBe("secret");
  });

  test("without a build, pages say how to build the dashboard", async () => {
    const empty = mkdtempSync(join(tmpdir(), "sentinel-static-empty-"));
    try {
      const res = await appFor(empty).request("/o/acme");
      expect(res.status).toBe(503);
      expect(await res.text()).toContain("npm run build");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test("the dashboard config links Connect GitHub to the App's install page when configured", async () => {
    const configured = await (await appFor(root, "sentinel-app").request("/api/dashboard/config")).json();
    expect(configured).toEqual({
      github: {
        appSlug: "sentinel-app",
        installUrl: "https://github.com/apps/sentinel-app/installations/new",
      },
    });
    const unconfigured = await (await appFor(root).request("/api/dashboard/config")).json();
    expect(unconfigured).toEqual({ github: { appSlug: null, installUrl: null } });
  });
});

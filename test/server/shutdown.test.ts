import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureServerBundled, SERVER_BUNDLE } from "../../scripts/server-build.ts";

// `npm start` as a person runs it — the bundled server, on its embedded database: Ctrl-C closes
// cleanly and the next start finds its data intact.
const dataDir = mkdtempSync(join(tmpdir(), "sentinel-shutdown-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
beforeAll(async () => {
  expect(await ensureServerBundled()).toBe(true);
}, 60_000);

function start(): { child: ChildProcess; url: Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ["--enable-source-maps", SERVER_BUNDLE], {
    env: {
      ...process.env,
      PORT: "0",
      SENTINEL_DATA_DIR: dataDir,
      SENTINEL_SEED_ON_START: "false",
      DATABASE_URL: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.on("exit", () => reject(new Error(`server exited before listening: ${out}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, url, exit };
}

describe("shutdown", () => {
  it("exits 0 on SIGINT and restarts on the same data", async () => {
    const first = start();
    const url = await first.url;
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    first.child.kill("SIGINT");
    expect(await first.exit).toBe(0);

    const second = start();
    const body = (await (await fetch(`${await second.url}/api/health`)).json()) as {
      database: { migration: string };
    };
    expect(body.database.migration).toMatch(/^\d{4}_/);
    second.child.kill("SIGTERM");
    expect(await second.exit).toBe(0);
  }, 90_000);
});

import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The entry point as a person runs it: bad configuration is one line and a non-zero exit.
function runMain(
  env: Record<string, string>,
): Promise<{ status: number | null; stderr: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ["src/server/main.ts"], {
    env: { ...process.env, ...env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve) => {
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, ms: performance.now() - started });
    });
  });
}

// A TCP server on loopback that accepts connections and never answers: a database host that hangs.
let silent: Server;
let silentPort = 0;
beforeAll(async () => {
  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(() => {
  silent.close();
});

describe("start-up failures", () => {
  it("refuses a closed port with one line naming the host, no stack trace", async () => {
    const result = await runMain({ DATABASE_URL: "postgresql://sentinel:hunter2@127.0.0.1:1/sentinel" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^sentinel: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/sentinel/);
    expect(result.stderr).not.toMatch(/hunter2/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("gives up on a host that never answers after the spec's 2 s connect timeout", async () => {
    const result = await runMain({ DATABASE_URL: `postgresql://sentinel@127.0.0.1:${silentPort}/sentinel` });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^sentinel: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/sentinel: .*timeout/,
    );
    // 2 s of connect timeout plus process start-up; far below the minutes a default client would wait.
    expect(result.ms).toBeGreaterThan(2_000);
    expect(result.ms).toBeLessThan(12_000);
  });

  it("names a bad variable and exits 2", async () => {
    const result = await runMain({ PORT: "not-a-port" });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(/^sentinel: invalid environment variable PORT/);
  });
});

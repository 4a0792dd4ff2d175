import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { Octokit } from "octokit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadEnv } from "../../src/server/env.ts";
import { createGithubApp } from "../../src/server/github-app/app-client.ts";
import { githubApiMetrics } from "../../src/server/observability/github-api.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { fakeSha } from "../fake-github/fixtures.ts";
import { type FakeGithub, startFakeGithub } from "../fake-github/server.ts";
import {
  createInstallation,
  createOrg,
  createRepository,
  postDelivery,
  pushPayload,
} from "../github/helpers.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { parseExposition, type Sample, sampleValue } from "./prometheus-text.ts";

// The operator's numbers after real work: a push reaches the server, its attribute-commit jobs
// run in the server's workers against the (fake) GitHub — whose git endpoint does not serve this
// repository, so the mirror fetch fails and the commits are read through REST — and /metrics
// shows the attribution lag, the mirror error, and the installation's rate-limit headroom.

vi.setConfig({ hookTimeout: 120_000, testTimeout: 120_000 });

const TOKEN = "pipeline-metrics-token-0123456789";
const INSTALLATION = 4242;
const database = useTestDatabase();
const db = () => database().db;
let fake: FakeGithub;
let server: RunningServer;
let dataDir = "";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

beforeAll(async () => {
  fake = await startFakeGithub();
  dataDir = mkdtempSync(join(tmpdir(), "sentinel-metrics-"));
  const env = loadEnv({
    PORT: "0",
    LOG_LEVEL: "silent",
    SENTINEL_SEED_ON_START: "false",
    SENTINEL_DATA_DIR: dataDir,
    SENTINEL_METRICS_TOKEN: TOKEN,
    GITHUB_WEBHOOK_SECRET: "pipeline-webhook-secret",
    GITHUB_APP_ID: "1",
    GITHUB_APP_PRIVATE_KEY: privateKey,
    GITHUB_API_URL: fake.url,
  });
  server = await startServer(env, { handle: database() });
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

async function until(check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("metrics after a push is attributed", () => {
  it("shows the attribution lag, the failed mirror fetch and the installation's rate limit", async () => {
    const org = await createOrg(db());
    await createInstallation(db(), INSTALLATION, org.id);
    const repoId = await createRepository(db(), org.id, INSTALLATION, 900001, {
      fullName: "octo-org/sentinel-demo",
    });
    const before = await scrape();

    const payload = pushPayload({
      installationId: INSTALLATION,
      repoGithubId: 900001,
      fullName: "octo-org/sentinel-demo",
      commits: 2,
    });
    const shas = [fakeSha("c4"), fakeSha("c5")];
    payload.commits.forEach((commit, i) => {
      commit.id = shas[i] ?? commit.id;
    });
    const delivered = await postDelivery(server.url, "push", payload, { secret: "pipeline-webhook-secret" });
    expect(delivered.status).toBe(202);
    await until(async () => {
      const stored = await db().execute<{ n: number }>(
        sql`SELECT count(DISTINCT commit_sha)::int AS n FROM code_attribution WHERE repo_id = ${repoId}`,
      );
      return Number(stored.rows[0]?.n) === 2;
    });

    // The verdicts are stored inside the job; its run is counted when the handler returns.
    const lag = { queue: "attribute-commit" };
    let after = await scrape();
    await until(async () => {
      after = await scrape();
      return (
        sampleValue(after, "sentinel_job_lag_seconds_count", lag) -
          sampleValue(before, "sentinel_job_lag_seconds_count", lag) ===
        2
      );
    });
    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta("sentinel_jobs_total", { queue: "attribute-commit", outcome: "completed" })).toBe(2);
    // Push to verdict took seconds at most here: every observation falls in the 60 s bucket.
    expect(delta("sentinel_job_lag_seconds_bucket", { ...lag, le: "60" })).toBe(2);
    expect(delta("sentinel_webhook_deliveries_total", { source: "github", outcome: "processed" })).toBe(1);
    // The fake serves no git for this repository: 404, a permission failure, then REST.
    expect(delta("sentinel_mirror_fetch_errors_total", { reason: "permission" })).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(after, "sentinel_github_rate_limit_remaining", { installation: String(INSTALLATION) }),
    ).toBe(4999);
    expect(
      sampleValue(after, "sentinel_github_rate_limit_limit", { installation: String(INSTALLATION) }),
    ).toBe(5000);
    expect(delta("sentinel_github_api_requests_total", { outcome: "ok" })).toBeGreaterThanOrEqual(2);
  });
});

describe("GitHub API errors", () => {
  it("are counted by status once per call, after retries, and as network when nothing answers", async () => {
    const app = createGithubApp({ appId: "1", privateKey, apiUrl: fake.url, retries: 0 });
    const octokit = await app.getInstallationOctokit(INSTALLATION);
    const before = await scrape();
    await expect(
      octokit.request("GET /repos/{owner}/{repo}", { owner: "octo-org", repo: "missing" }),
    ).rejects.toThrow();
    fake.failNext(/\/repos\/octo-org\/sentinel-demo$/, 502);
    await expect(
      octokit.request("GET /repos/{owner}/{repo}", { owner: "octo-org", repo: "sentinel-demo" }),
    ).rejects.toThrow();

    // A port that accepts nothing: the request gets no answer at all.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = new (Octokit.plugin(githubApiMetrics))({
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { enabled: false },
      throttle: { enabled: false },
    });
    await expect(unreachable.request("GET /rate_limit")).rejects.toThrow();

    const after = await scrape();
    const errors = (samples: Sample[], status: string) =>
      sampleValue(samples, "sentinel_github_api_errors_total", { status });
    expect(errors(after, "404") - errors(before, "404")).toBe(1);
    expect(errors(after, "502") - errors(before, "502")).toBe(1);
    expect(errors(after, "network") - errors(before, "network")).toBe(1);
  });
});

import { createRequire } from "node:module";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeEvents, githubInstallations, repositories } from "../../src/server/db/schema/index.ts";
import { loadEnv } from "../../src/server/env.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { createInstallation, createOrg, postDelivery } from "./helpers.ts";

// Every example payload GitHub's own webhook documentation ships (@octokit/webhooks-examples),
// posted signed to the running server as an App delivery of one linked installation.

interface Example {
  name: string;
  examples: Record<string, unknown>[];
}
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Example[];

const INSTALLATION = 77_000_001;
const database = useTestDatabase();
const db = () => database().db;
let server: RunningServer;
let orgId: string;
const repoIds = new Map<number, string>();

// biome-ignore lint/suspicious/noExplicitAny: example payloads are untyped JSON, read field by field below
type Obj = Record<string, any>;

beforeAll(async () => {
  const env = loadEnv({
    PORT: "0",
    LOG_LEVEL: "silent",
    SENTINEL_SEED_ON_START: "false",
    SENTINEL_WORKERS: "false",
    GITHUB_WEBHOOK_SECRET: "test-webhook-secret",
  });
  server = await startServer(env, { handle: database() });
  orgId = (await createOrg(db())).id;
  await createInstallation(db(), INSTALLATION, orgId);
  // Every repository the examples mention is tracked, so handled events land on a known row.
  for (const { examples: list } of examples) {
    for (const payload of list) {
      const repo = payload.repository as Obj | undefined;
      if (!repo || typeof repo.id !== "number" || repoIds.has(repo.id)) continue;
      const [row] = await db()
        .insert(repositories)
        .values({
          orgId,
          installationId: INSTALLATION,
          githubId: repo.id,
          fullName: String(repo.full_name),
          defaultBranch: String(repo.default_branch ?? "main"),
        })
        .onConflictDoNothing()
        .returning();
      if (row) repoIds.set(repo.id, row.id);
    }
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

/** What a delivery may change besides its own log row. */
async function snapshot(): Promise<string> {
  const events = await db().select({ id: codeEvents.id }).from(codeEvents);
  const repos = await db()
    .select({
      id: repositories.id,
      name: repositories.fullName,
      tracked: repositories.tracked,
      archived: repositories.archivedAt,
    })
    .from(repositories)
    .orderBy(repositories.id);
  const installs = await db().select().from(githubInstallations).orderBy(githubInstallations.installationId);
  // PR events also ask for a check run on their head (test/github/pull-request-check.db.test.ts).
  const jobs = await db().execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name <> 'github-pull-request-check'`,
  );
  return JSON.stringify({ events: events.length, repos, installs, jobs: jobs.rows[0]?.n });
}

const REVIEW_STATES = new Set(["approved", "changes_requested", "commented", "dismissed"]);
const DEPLOY_STATES = new Set([
  "success",
  "failure",
  "error",
  "pending",
  "in_progress",
  "queued",
  "inactive",
]);

/** The code_events natural keys this example should add, computed from the payload alone. */
function expectedKeys(event: string, p: Obj): string[] {
  const repoId = repoIds.get(p.repository?.id);
  if (!repoId) return [];
  const key = (type: string, sourceKey: string, at: string) =>
    `${repoId}|${type}|${sourceKey}|${new Date(at).toISOString()}`;
  switch (event) {
    case "push": {
      const branch = `refs/heads/${p.repository.default_branch}`;
      if (p.deleted || p.ref !== branch) return [];
      return (p.commits as Obj[]).map((c) => key("commit", c.id, c.timestamp));
    }
    case "pull_request": {
      const pr = p.pull_request;
      if (p.action === "opened") return [key("pr_opened", `pr:${pr.number}`, pr.created_at)];
      if (p.action === "reopened")
        return [key("pr_opened", `pr:${pr.number}`, pr.updated_at ?? pr.created_at)];
      if (p.action === "closed" && pr.merged) return [key("pr_merged", `pr:${pr.number}`, pr.merged_at)];
      return [];
    }
    case "pull_request_review":
      if (p.action !== "submitted" || !REVIEW_STATES.has(String(p.review.state).toLowerCase())) return [];
      return [key("pr_reviewed", `review:${p.review.id}`, p.review.submitted_at)];
    case "deployment_status":
      if (!DEPLOY_STATES.has(p.deployment_status.state)) return [];
      return [
        key(
          "deploy",
          `deploy:${p.deployment.id}:${p.deployment_status.state}`,
          p.deployment_status.created_at,
        ),
      ];
    default:
      return [];
  }
}

/** Events whose examples may change state (installations, repositories) without adding events. */
const STATEFUL = new Set(["installation", "installation_repositories", "repository"]);

describe("every @octokit/webhooks-examples payload", () => {
  it("is acknowledged; handled events add exactly the expected rows, the others change nothing", async () => {
    const seen = new Set<string>();
    const bodies = new Set<string>();
    let handled = 0;
    let posted = 0;
    for (const { name, examples: list } of examples) {
      for (const original of list) {
        const payload = structuredClone(original) as Obj;
        // An App delivery always names its installation.
        if (name === "installation" || name === "installation_repositories")
          payload.installation.id = INSTALLATION;
        else payload.installation = { id: INSTALLATION, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
        // Lifecycle examples (deleted, suspend) must not silence the ones after them.
        await db()
          .update(githubInstallations)
          .set({ suspendedAt: null, deletedAt: null, orgId })
          .where(eq(githubInstallations.installationId, INSTALLATION));

        const before = await snapshot();
        const keysBefore = await eventKeys();
        const res = await postDelivery(server.url, name, payload);
        posted++;
        const label = `${name}.${String(payload.action ?? "-")} #${posted}`;
        // Some examples repeat an earlier one byte for byte: a body already received is a replay,
        // acknowledged as a duplicate (and then changes nothing, as checked below).
        const body = JSON.stringify(payload);
        expect(res.status, label).toBe(bodies.has(body) ? 200 : 202);
        bodies.add(body);
        expect(res.body.outcome, label).not.toBe("failed");

        const expected = expectedKeys(name, payload).filter((k) => !seen.has(k));
        for (const k of expected) seen.add(k);
        const added = [...(await eventKeys())].filter((k) => !keysBefore.has(k)).sort();
        expect(added, label).toEqual([...new Set(expected)].sort());
        if (expected.length > 0) handled++;
        if (expected.length === 0 && !STATEFUL.has(name)) expect(await snapshot(), label).toBe(before);
      }
    }
    expect(posted).toBeGreaterThan(300);
    expect(handled).toBeGreaterThanOrEqual(5);
    const types = await db().selectDistinct({ type: codeEvents.eventType }).from(codeEvents);
    expect(types.map((t) => t.type).sort()).toEqual(["commit", "deploy", "pr_opened", "pr_reviewed"]);
  }, 600_000);
});

async function eventKeys(): Promise<Set<string>> {
  const rows = await db()
    .select({
      repoId: codeEvents.repoId,
      type: codeEvents.eventType,
      key: codeEvents.sourceKey,
      at: codeEvents.timestamp,
    })
    .from(codeEvents);
  return new Set(rows.map((r) => `${r.repoId}|${r.type}|${r.key}|${r.at.toISOString()}`));
}

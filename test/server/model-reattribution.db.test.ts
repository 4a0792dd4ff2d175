import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queueModelReattribution } from "../../src/server/attribution/reattribute.ts";
import {
  codeAttribution,
  githubInstallations,
  organizations,
  repositories,
} from "../../src/server/db/schema/index.ts";
import { startQueue } from "../../src/server/jobs/queue.ts";
import { useTestDatabase } from "../helpers/db.ts";

// A newly active model re-attributes what it would change: files the previous model decided and
// files no evidence decided. Heuristic and overridden files, and other organizations, stay as they are.

const database = useTestDatabase();
const sha = (name: string) => createHash("sha1").update(name).digest("hex");

const signals = (model: { version: string; score: number } | null) => ({
  engineVersion: "test",
  signals: [],
  lines: { ai: 0, human: 0, unknown: 1 },
  tierReason: "test",
  model,
  override: null,
});

async function orgWithRepository(slug: string, installationId: number) {
  const { db } = database();
  const [org] = await db.insert(organizations).values({ name: slug, slug }).returning();
  if (!org) throw new Error("no org");
  await db.insert(githubInstallations).values({
    orgId: org.id,
    installationId,
    accountLogin: slug,
    accountId: installationId,
    accountType: "organization",
  });
  const [repo] = await db
    .insert(repositories)
    .values({ orgId: org.id, fullName: `${slug}/app`, installationId })
    .returning();
  if (!repo) throw new Error("no repo");
  return { orgId: org.id, repoId: repo.id };
}

describe("queueModelReattribution", () => {
  it("queues the commits the new model would decide, once each, and nothing else", async () => {
    const { db } = database();
    const a = await orgWithRepository("model-a", 7101);
    const b = await orgWithRepository("model-b", 7102);
    const row = (
      target: { orgId: string; repoId: string },
      name: string,
      method: "ml_model" | "heuristic" | "manual_override" | null,
      model: { version: string; score: number } | null = null,
    ) => ({
      ...target,
      commitSha: sha(name),
      filePath: `src/${name}.ts`,
      aiConfidence: method === null ? null : 0.5,
      detectionMethod: method,
      riskTier: "T2_glue" as const,
      detectionSignals: signals(model),
      engineVersion: "test",
      committedAt: new Date("2026-11-01T00:00:00Z"),
    });
    await db
      .insert(codeAttribution)
      .values([
        row(a, "old-model", "ml_model", { version: "lr-old", score: 0.4 }),
        row(a, "same-model", "ml_model", { version: "lr-new", score: 0.4 }),
        row(a, "no-evidence", null),
        row(a, "trailer", "heuristic"),
        row(a, "overridden", "manual_override"),
        row(b, "other-org", null),
      ]);
    const queue = await startQueue(database(), { supervise: false });
    try {
      expect(await queueModelReattribution(db, queue, { orgId: a.orgId, modelVersion: "lr-new" })).toBe(2);
      await queueModelReattribution(db, queue, { orgId: a.orgId, modelVersion: "lr-new" });
      const jobs = await db.execute<{ data: { commitSha: string; orgId: string } }>(
        sql`SELECT data FROM pgboss.job WHERE name = 'reattribute-commit' ORDER BY data->>'commitSha'`,
      );
      expect(jobs.rows.map((j) => j.data.commitSha).sort()).toEqual(
        [sha("no-evidence"), sha("old-model")].sort(),
      );
      expect(new Set(jobs.rows.map((j) => j.data.orgId))).toEqual(new Set([a.orgId]));
    } finally {
      await queue.stop();
    }
  });
});

import { describe, expect, it } from "vitest";
import { markBackfillsQueued, startCommitImport } from "../../src/server/services/github/repository-sync.ts";
import { makeOrg } from "../api/helpers.ts";
import { createInstallation, createRepository } from "../github/helpers.ts";
import { TEST_ENGINE, useTestDatabase } from "../helpers/db.ts";
import { runCli } from "./helpers/git-fixture.ts";

const database = useTestDatabase();

// The command as a user runs it, against the server database (PGlite serves one process).
describe.skipIf(TEST_ENGINE !== "postgres")("sentinel backfills", () => {
  it("prints each repository's import and mirror, as a table and as JSON", async () => {
    const handle = database();
    const org = await makeOrg(handle.db);
    const installation = 70_000 + Math.floor(Math.random() * 10_000);
    await createInstallation(handle.db, installation, org.id);
    const repoId = await createRepository(handle.db, org.id, installation, installation, {
      fullName: `${org.slug}/api`,
    });
    const ctx = { db: handle.db, orgId: org.id, actor: { kind: "cli" as const } };
    await markBackfillsQueued(ctx, [repoId], new Date("2026-01-01T00:00:00Z"));
    await startCommitImport(ctx, repoId, { tip: "a".repeat(40), total: 8031, source: { reader: "git" } });
    const env = { DATABASE_URL: handle.url };

    const table = runCli(["backfills", "--org", org.slug], { env });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(
        `^REPOSITORY +MIRROR +HISTORY IMPORT\\n${org.slug}/api +- +\\[░+\\] 0/8,031 commits · from git\\n$`,
      ),
    );

    const json = runCli(["backfills", "--org", org.slug, "--json"], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      items: [
        { fullName: `${org.slug}/api`, backfill: { status: "running", commitsTotal: 8031, source: "git" } },
      ],
    });
  });

  it("refuses a malformed slug (2) and names an unknown organization (3)", () => {
    const env = { DATABASE_URL: database().url };
    expect(runCli(["backfills", "--org", "Not A Slug"], { env })).toMatchObject({ code: 2 });
    const unknown = runCli(["backfills", "--org", "no-such-org"], { env });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("organization 'no-such-org' not found");
  });
});

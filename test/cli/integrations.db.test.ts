import { describe, expect, it } from "vitest";
import { rotateSecretOfOrganization } from "../../src/cli/commands/integrations.ts";
import { AppError } from "../../src/core/errors.ts";
import { findIntegrationSecret } from "../../src/server/services/incidents/secrets.ts";
import { listAuditLog } from "../../src/server/services/list-audit-log.ts";
import { makeOrg } from "../api/helpers.ts";
import { TEST_ENGINE, useTestDatabase } from "../helpers/db.ts";
import { runCli } from "./helpers/git-fixture.ts";

const database = useTestDatabase();

describe("sentinel integrations rotate-secret", () => {
  it("creates the organization's PagerDuty secret, then replaces it; only the newest verifies", async () => {
    const db = database().db;
    const org = await makeOrg(db);
    const first = await rotateSecretOfOrganization(db, { org: org.slug, provider: "pagerduty" });
    expect(first).toMatchObject({
      kind: "pagerduty",
      replaced: false,
      webhookPath: `/api/webhooks/pagerduty/${org.slug}`,
    });
    const second = await rotateSecretOfOrganization(db, { org: org.slug, provider: "pagerduty" });
    expect(second.replaced).toBe(true);
    expect(second.secret).not.toBe(first.secret);
    expect(await findIntegrationSecret(db, org.slug, "pagerduty")).toEqual({
      orgId: org.id,
      secret: second.secret,
    });
    const log = await listAuditLog({ db, orgId: org.id, actor: { kind: "cli" } }, { limit: 10 });
    const rotations = log.items.filter((e) => e.action === "integration_secret.rotated");
    expect(rotations.map((e) => [e.actor, e.target, e.details])).toEqual([
      ["cli", "pagerduty", { replaced: true }],
      ["cli", "pagerduty", { replaced: false }],
    ]);
    expect(JSON.stringify(log.items)).not.toContain(second.secret);
  });

  it("names an unknown organization as not found", async () => {
    const failure = rotateSecretOfOrganization(database().db, { org: "no-such-org", provider: "pagerduty" });
    await expect(failure).rejects.toBeInstanceOf(AppError);
    await expect(failure).rejects.toMatchObject({ code: "not_found" });
  });

  // The command itself, as a user runs it, against the server database (PGlite serves one process).
  it.skipIf(TEST_ENGINE !== "postgres")(
    "prints the secret once on stdout and the webhook URL on stderr",
    async () => {
      const handle = database();
      const org = await makeOrg(handle.db);
      const env = { DATABASE_URL: handle.url, SENTINEL_PUBLIC_URL: "https://sentinel.example.com" };
      const run = runCli(["integrations", "rotate-secret", "--org", org.slug, "--provider", "pagerduty"], {
        env,
      });
      expect(run.code, run.stderr).toBe(0);
      const secret = run.stdout.trim();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(run.stderr).toContain(`https://sentinel.example.com/api/webhooks/pagerduty/${org.slug}`);
      expect(run.stderr).not.toContain(secret);
      expect((await findIntegrationSecret(handle.db, org.slug, "pagerduty"))?.secret).toBe(secret);

      const missing = runCli(
        ["integrations", "rotate-secret", "--org", "no-such-org", "--provider", "pagerduty"],
        {
          env,
        },
      );
      expect(missing).toMatchObject({ code: 3, stdout: "" });
      expect(missing.stderr).toContain("organization 'no-such-org' not found");
    },
  );
});

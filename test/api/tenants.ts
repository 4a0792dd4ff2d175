import { randomInt, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { MemberRole, OrgPlan } from "../../src/core/enums.ts";
import { API_KEY_SCOPES, type ApiKeyScope } from "../../src/core/permissions.ts";
import type { Database } from "../../src/server/db/client.ts";
import { addMember, makeKey, makeOrg, signUp, type TestApp, unique } from "./helpers.ts";

// A tenant with one of everything, created through the real services and Better Auth where they
// exist, and raw SQL (as the connection's own role, like ingestion) for telemetry.

export interface Person {
  cookie: string;
  userId: string;
  email: string;
}

export interface Tenant {
  org: { id: string; slug: string };
  repoId: string;
  sha: string;
  filePath: string;
  eventId: string;
  attributionId: string;
  installationId: number;
  people: Record<MemberRole, Person>;
  adminKey: string;
  /** One key per single scope. */
  scopeKeys: Record<ApiKeyScope, string>;
}

const signals = (ai: number, human: number) =>
  JSON.stringify({
    engineVersion: "test",
    signals: [],
    lines: { ai, human, unknown: 0 },
    tierReason: "test",
    model: null,
    override: null,
  });

export async function seedTelemetry(
  db: Database,
  orgId: string,
): Promise<{
  repoId: string;
  sha: string;
  filePath: string;
  eventId: string;
  attributionId: string;
  installationId: number;
}> {
  const installationId = randomInt(1, 2 ** 47);
  await db.execute(sql`INSERT INTO github_installations (org_id, installation_id, account_login, account_id, account_type)
    VALUES (${orgId}, ${installationId}, ${unique("acct")}, ${installationId}, 'organization')`);
  const repoId = randomUUID();
  await db.execute(sql`INSERT INTO repositories (id, org_id, installation_id, full_name)
    VALUES (${repoId}, ${orgId}, ${installationId}, ${`${unique("acme")}/api`})`);
  const sha = randomUUID().replaceAll("-", "").padEnd(40, "a").slice(0, 40);
  const eventId = randomUUID();
  const committedAt = new Date(Date.now() - 86_400_000).toISOString();
  const metadata = JSON.stringify({
    message: "Add the thing",
    author: { name: "Ada", email: "ada@example.com", login: "ada" },
    committer: { name: "Ada", email: "ada@example.com", login: "ada" },
    parents: [],
    branch: "main",
    additions: 10,
    deletions: 0,
    filesChanged: 1,
    url: null,
    source: "seed",
  });
  await db.execute(sql`INSERT INTO code_events (id, org_id, repo_id, event_type, commit_sha, timestamp, actor, source_key, metadata)
    VALUES (${eventId}, ${orgId}, ${repoId}, 'commit', ${sha}, ${committedAt}, 'ada', ${sha}, ${metadata}::jsonb)`);
  const attributionId = randomUUID();
  const filePath = "src/service/handler.ts";
  await db.execute(sql`INSERT INTO code_attribution (id, org_id, repo_id, commit_sha, file_path, ai_confidence,
      detection_method, risk_tier, detection_signals, lines_added, ai_lines, human_lines, tool, engine_version, committed_at)
    VALUES (${attributionId}, ${orgId}, ${repoId}, ${sha}, ${filePath}, 0.8, 'heuristic', 'T3_core',
      ${signals(8, 2)}::jsonb, 10, 8, 2, 'claude-code', 'test', ${committedAt})`);
  return { repoId, sha, filePath, eventId, attributionId, installationId };
}

export async function makeTenant(
  app: TestApp,
  db: Database,
  roles: readonly MemberRole[] = ["owner", "admin", "member", "viewer"],
  plan: OrgPlan = "enterprise",
): Promise<Tenant> {
  const org = await makeOrg(db, plan);
  const people = {} as Record<MemberRole, Person>;
  for (const role of roles) {
    const email = `${unique(role)}@example.com`;
    const person = await signUp(app, email, `${role} of ${org.slug}`);
    await addMember(db, org.id, person.userId, role);
    people[role] = { ...person, email };
  }
  const telemetry = await seedTelemetry(db, org.id);
  const adminKey = (await makeKey(db, org.id, ["admin"])).key;
  const scopeKeys = {} as Record<ApiKeyScope, string>;
  for (const scope of API_KEY_SCOPES) scopeKeys[scope] = (await makeKey(db, org.id, [scope])).key;
  return { org, people, adminKey, scopeKeys, ...telemetry };
}

/** A person who exists and belongs to the tenant, to be changed or removed by a test. */
export async function makeMember(db: Database, orgId: string, role: MemberRole = "viewer"): Promise<string> {
  const userId = unique("user");
  await db.execute(
    sql`INSERT INTO users (id, name, email) VALUES (${userId}, 'Someone', ${`${userId}@example.com`})`,
  );
  await addMember(db, orgId, userId, role);
  return userId;
}

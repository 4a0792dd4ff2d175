import { hashPassword } from "better-auth/crypto";
import { inArray, sql } from "drizzle-orm";
import { rebuildAll } from "../../services/metrics/roll-up.ts";
import type { Database, Transaction } from "../client.ts";
import {
  accounts,
  attributionOverrides,
  codeAttribution,
  codeEvents,
  githubInstallations,
  incidents,
  organizationMembers,
  organizations,
  repositories,
  users,
} from "../schema/index.ts";
import { ORGS } from "./fixtures.ts";
import { generateSeedPlan, type OrgSeedPlan, type PlanOptions } from "./generate.ts";
import { insertRows } from "./insert.ts";

// `sentinel db seed` and the first `npm start`: writes the demo plan in one transaction, an
// organization at a time. An organization whose slug already exists is left alone, so a second
// run (or a run a week later, with another anchor) adds nothing.

export { DEMO_CREDENTIALS } from "./fixtures.ts";
export { DEFAULT_ANCHOR, generateSeedPlan } from "./generate.ts";

export const SEEDED_TABLES = [
  "organizations",
  "users",
  "accounts",
  "organization_members",
  "github_installations",
  "repositories",
  "code_events",
  "code_attribution",
  "attribution_overrides",
  "incidents",
  "repo_metrics",
] as const;

export type SeededTable = (typeof SEEDED_TABLES)[number];
export type RowCounts = Record<SeededTable, number>;

export interface SeedResult {
  /** Rows this run wrote, per table (all zero on a second run). */
  inserted: RowCounts;
  seededOrgs: string[];
  /** Slugs that already existed and were left untouched. */
  skippedOrgs: string[];
  ms: number;
}

export type SeedOptions = PlanOptions;

const emptyCounts = (): RowCounts => Object.fromEntries(SEEDED_TABLES.map((t) => [t, 0])) as RowCounts;

/** Monday 00:00 UTC of the week containing `date`: the anchor `npm start` uses, so demo data looks recent. */
export function startOfUtcWeek(date: Date): Date {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * 24 * 3_600_000);
}

/** True when no organization exists yet: nobody has used this database. */
export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const rows = await db.select({ id: organizations.id }).from(organizations).limit(1);
  return rows.length === 0;
}

export async function seedDatabase(db: Database, options: SeedOptions = {}): Promise<SeedResult> {
  const started = performance.now();
  // Fast path for every start after the first: nothing to generate when all slugs exist.
  const slugs = ORGS.map((o) => o.slug);
  const present = await db
    .select({ slug: organizations.slug })
    .from(organizations)
    .where(inArray(organizations.slug, slugs));
  if (present.length === slugs.length) {
    return {
      inserted: emptyCounts(),
      seededOrgs: [],
      skippedOrgs: slugs,
      ms: Math.round(performance.now() - started),
    };
  }
  const plan = generateSeedPlan(options);
  // scrypt is slow on purpose: hash outside the transaction.
  const hashes = new Map<string, string>();
  for (const { password } of plan.accounts) {
    if (password !== null && !hashes.has(password)) hashes.set(password, await hashPassword(password));
  }
  const inserted = emptyCounts();
  const seededOrgs: string[] = [];
  const skippedOrgs: string[] = [];

  await db.transaction(async (tx) => {
    const created = new Set(await insertRows(tx, users, plan.users));
    inserted.users = created.size;
    // Only people this run created get accounts: never attach the demo password to a real user.
    const newAccounts = plan.accounts
      .filter(({ row }) => created.has(row.userId))
      .map(({ row, password }) => ({
        ...row,
        password: password === null ? null : (hashes.get(password) ?? null),
      }));
    inserted.accounts = (await insertRows(tx, accounts, newAccounts)).length;
    const emails = plan.users.map((u) => u.email);
    const existing = await tx
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(inArray(users.email, emails));
    const userIdByEmail = new Map(existing.map((u) => [u.email, u.id]));

    for (const org of plan.orgs) {
      const wrote = await insertOrg(tx, org, userIdByEmail, inserted);
      (wrote ? seededOrgs : skippedOrgs).push(org.slug);
    }
  });
  // repo_metrics is never invented: it is computed from the rows just written, as in production.
  const seededIds = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(inArray(organizations.slug, seededOrgs));
  for (const { id } of seededIds) {
    inserted.repo_metrics += (await rebuildAll({ db, orgId: id, actor: { kind: "system" } })).rows;
  }
  // Fresh statistics for the planner: without them (the embedded database has no autovacuum) it
  // guesses one row where there are thousands and picks slow plans for the dashboard's queries.
  if (seededOrgs.length > 0) await db.execute(sql`ANALYZE`);
  return { inserted, seededOrgs, skippedOrgs, ms: Math.round(performance.now() - started) };
}

async function insertOrg(
  tx: Transaction,
  org: OrgSeedPlan,
  userIdByEmail: ReadonlyMap<string, string>,
  inserted: RowCounts,
): Promise<boolean> {
  // The slug is the organization's natural key: if it exists, this organization was seeded before
  // (or someone made their own "acme"), and nothing of it is touched.
  if ((await insertRows(tx, organizations, [org.organization])).length === 0) return false;
  inserted.organizations++;

  const members = org.members.flatMap(({ row, email }) => {
    const userId = userIdByEmail.get(email);
    return userId ? [{ ...row, userId }] : [];
  });
  inserted.organization_members += (await insertRows(tx, organizationMembers, members)).length;
  inserted.github_installations += (await insertRows(tx, githubInstallations, [org.installation])).length;

  // A repository that already exists elsewhere (same GitHub id) is skipped with everything in it.
  const repoIds = new Set(await insertRows(tx, repositories, org.repositories));
  inserted.repositories += repoIds.size;
  const mine = <T extends { repoId?: string | null }>(rows: T[]) =>
    rows.filter((r) => r.repoId !== undefined && r.repoId !== null && repoIds.has(r.repoId));

  inserted.code_events += (await insertRows(tx, codeEvents, mine(org.events))).length;
  inserted.code_attribution += (await insertRows(tx, codeAttribution, mine(org.attributions))).length;
  inserted.attribution_overrides += (await insertRows(tx, attributionOverrides, mine(org.overrides))).length;
  inserted.incidents += (await insertRows(tx, incidents, mine(org.incidents))).length;
  return true;
}

/** How many rows each seeded table holds now (whoever wrote them). */
export async function countRows(db: Database): Promise<RowCounts> {
  const counts = emptyCounts();
  for (const table of SEEDED_TABLES) {
    const result = await db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`,
    );
    counts[table] = Number(result.rows[0]?.n ?? 0);
  }
  return counts;
}

import { hashPassword } from "better-auth/crypto";
import { inArray, sql } from "drizzle-orm";
import { attributeCommit } from "../../core/attribution/engine.ts";
import type { FileScorer } from "../../core/attribution/scorer.ts";
import type { ManualOverride } from "../../core/attribution/types.ts";
import type { IncidentSeverity } from "../../core/enums.ts";
import type { Database, Transaction } from "../db/client.ts";
import {
  accounts,
  attributionOverrides,
  githubInstallations,
  incidents,
  organizationMembers,
  organizations,
  repositories,
  users,
} from "../db/schema/index.ts";
import { storeCommitAttributions } from "../services/attribution/store.ts";
import type { ServiceContext } from "../services/context.ts";
import { recordCodeEvents } from "../services/github/code-events.ts";
import { resolveIncidentLink } from "../services/incidents/link.ts";
import { rebuildAll } from "../services/metrics/roll-up.ts";
import { getActiveModel, trainModel } from "../services/ml-models.ts";
import {
  type Attributed,
  chooseOverrides,
  engineContext,
  landedBeforeModel,
  modelTrainedAt,
  trainingExamples,
} from "./attribution.ts";
import { ORGS } from "./fixtures.ts";
import {
  generateSeedPlan,
  type OrgSeedPlan,
  type PlanOptions,
  type RepoSeedPlan,
  type SeedPlan,
} from "./generate.ts";
import type { SeedCommit } from "./history.ts";
import { generateIncidents } from "./incidents.ts";
import { insertRows } from "./insert.ts";
import { createRandom } from "./random.ts";
import { seedLineSurvival } from "./survival.ts";

// `sentinel db seed` and the first `npm start`: writes the demo in one transaction, an
// organization at a time, the way the product fills a database: events recorded, the
// organization's model trained on its history, every commit attributed by the engine and stored
// by the attribution service, incidents linked by the incident linker. An organization whose slug
// already exists is left alone, so a second run (or a run a week later, with another anchor) adds
// nothing.

export { landedBeforeModel, modelTrainedAt } from "./attribution.ts";
export { DEMO_CREDENTIALS } from "./fixtures.ts";
export { DEFAULT_ANCHOR, generateSeedPlan, type SeedPlan } from "./generate.ts";

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
  "ml_models",
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

    const nextSeverity = severities(plan);
    for (const org of plan.orgs) {
      const wrote = await insertOrg(tx, plan, org, userIdByEmail, inserted, nextSeverity);
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

/** The first four incidents cover every severity; the rest follow a realistic mix (sev1 rare). */
function severities(plan: SeedPlan): () => IncidentSeverity {
  const random = createRandom(`${plan.seed}/severity`);
  let index = 0;
  return () =>
    (["sev2", "sev1", "sev3", "sev4"] as const)[index++] ??
    random.weighted([
      ["sev1", 1],
      ["sev2", 3],
      ["sev3", 5],
      ["sev4", 3],
    ] as const);
}

async function insertOrg(
  tx: Transaction,
  plan: SeedPlan,
  org: OrgSeedPlan,
  userIdByEmail: ReadonlyMap<string, string>,
  inserted: RowCounts,
  nextSeverity: () => IncidentSeverity,
): Promise<boolean> {
  // The slug is the organization's natural key: if it exists, this organization was seeded before
  // (or someone made their own "acme"), and nothing of it is touched.
  if ((await insertRows(tx, organizations, [org.organization])).length === 0) return false;
  inserted.organizations++;
  const orgId = org.organization.id;
  const ctx = { db: tx, orgId, actor: { kind: "system" } } satisfies ServiceContext;

  const members = org.members.flatMap(({ row, email }) => {
    const userId = userIdByEmail.get(email);
    return userId ? [{ ...row, userId }] : [];
  });
  inserted.organization_members += (await insertRows(tx, organizationMembers, members)).length;
  inserted.github_installations += (await insertRows(tx, githubInstallations, [org.installation])).length;

  // A repository that already exists elsewhere (same GitHub id) is skipped with everything in it.
  const repoIds = new Set(
    await insertRows(
      tx,
      repositories,
      org.repositories.map((r) => r.row),
    ),
  );
  inserted.repositories += repoIds.size;
  const repos = org.repositories.filter((r) => repoIds.has(r.row.id));
  const events = repos.flatMap((r) => r.events.map((e) => ({ ...e, orgId })));
  inserted.code_events += (await recordCodeEvents(tx, events)).length;

  const attributed = await attributeHistory(ctx, plan, org, repos, inserted);
  for (const repo of repos) await seedLineSurvival(ctx, repo.row.id, repo.history.commits);
  await seedIncidents(ctx, plan, org, repos, attributed, inserted, nextSeverity);
  return true;
}

/**
 * Every verdict is the engine's, run as the attribute-commit job runs it, and stored by the
 * attribution service. Commits that landed before the model was trained were attributed without
 * one; the model learns from those verdicts and the older history of the repositories it trains
 * on (with too few labels of a class, the organization has none, as in production), then speaks on
 * the commits since. People's overrides come last, and their commits are attributed again.
 */
async function attributeHistory(
  ctx: ServiceContext & { db: Transaction },
  plan: SeedPlan,
  org: OrgSeedPlan,
  repos: readonly RepoSeedPlan[],
  inserted: RowCounts,
): Promise<Attributed[]> {
  const rulesOf = new Map(repos.map((r) => [r.row.id, r.tierRules]));
  const attribute = (
    a: { repoId: string; commit: SeedCommit },
    overrides: ManualOverride[],
    model: FileScorer | null,
  ) =>
    attributeCommit(a.commit.input, engineContext(a.commit, rulesOf.get(a.repoId) ?? [], overrides, model));

  const all = repos.flatMap((r) => r.history.commits.map((commit) => ({ repoId: r.row.id, commit })));
  const before = all.filter((a) => landedBeforeModel(a.commit, plan.anchor));
  const attributed: Attributed[] = before.map((a) => ({ ...a, result: attribute(a, [], null) }));

  const training = repos.filter((r) => org.fixture.modelRepos.includes(r.fixture.name));
  if (training.length > 0) {
    const trainOn = new Set(training.map((r) => r.row.id));
    const examples = trainingExamples(
      training.map((r) => ({ repoId: r.row.id, commits: r.early })),
      attributed.filter((a) => trainOn.has(a.repoId)),
    );
    // The demo shows what the detector does, so its model is switched on whatever its figures.
    const trained = await trainModel(ctx, {
      examples,
      now: modelTrainedAt(plan.anchor),
      activation: "always",
    });
    if (trained.status === "trained") inserted.ml_models++;
  }
  const model = await getActiveModel(ctx);
  for (const a of all) {
    if (!landedBeforeModel(a.commit, plan.anchor)) attributed.push({ ...a, result: attribute(a, [], model) });
  }

  const random = createRandom(`${plan.seed}/org:${org.slug}/overrides`);
  const planned = chooseOverrides(random, attributed, plan.anchor);
  const rows = planned.map((o) => ({
    orgId: ctx.orgId,
    repoId: o.repoId,
    commitSha: o.commitSha,
    filePath: o.filePath,
    verdict: o.verdict,
    riskTier: o.riskTier,
    actor: org.overrideActor,
    reason: o.reason,
    createdAt: o.at,
    updatedAt: o.at,
  }));
  inserted.attribution_overrides += (await insertRows(ctx.db, attributionOverrides, rows)).length;
  for (const a of attributed) {
    const mine = planned.filter((o) => o.repoId === a.repoId && o.commitSha === a.result.sha);
    if (mine.length === 0) continue;
    const overrides = mine.map(
      (o): ManualOverride => ({ ...o, actor: org.overrideActor, at: o.at.toISOString() }),
    );
    a.result = attribute(a, overrides, landedBeforeModel(a.commit, plan.anchor) ? null : model);
  }

  inserted.code_attribution += await storeCommitAttributions(
    ctx,
    attributed.map((a) => ({ repoId: a.repoId, committedAt: a.commit.input.committedAt, result: a.result })),
  );
  return attributed;
}

/** Incidents after the deploys they follow; the product's linker blames the deploy and measures its AI share. */
async function seedIncidents(
  ctx: ServiceContext & { db: Transaction },
  plan: SeedPlan,
  org: OrgSeedPlan,
  repos: readonly RepoSeedPlan[],
  attributed: readonly Attributed[],
  inserted: RowCounts,
  nextSeverity: () => IncidentSeverity,
): Promise<void> {
  const verdicts = new Map(attributed.map((a) => [a.result.sha, a.result]));
  for (const repo of repos) {
    const generated = generateIncidents({
      random: createRandom(`${plan.seed}/org:${org.slug}/repo:${repo.fixture.name}/incidents`),
      org: org.fixture,
      repo: repo.fixture,
      orgId: ctx.orgId,
      repoId: repo.row.id,
      fullName: repo.row.fullName,
      anchor: plan.anchor,
      deploys: repo.history.deploys,
      verdicts,
      ongoing: repo.ongoing,
      nextSeverity,
      responders: org.responders,
      issueNumber: repo.issueNumber,
    });
    const rows = [];
    for (const incident of generated.incidents) {
      const { deployAt: _, ...link } = await resolveIncidentLink(ctx.db, ctx.orgId, {
        repoId: incident.repoId,
        startedAt: incident.startedAt,
      });
      rows.push({ ...incident, ...link });
    }
    inserted.incidents += (await insertRows(ctx.db, incidents, rows)).length;
    const events = generated.events.map((e) => ({ ...e, orgId: ctx.orgId }));
    inserted.code_events += (await recordCodeEvents(ctx.db, events)).length;
  }
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

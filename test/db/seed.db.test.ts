import { verifyPassword } from "better-auth/crypto";
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { attributeCommit, ENGINE_VERSION } from "../../src/core/attribution/engine.ts";
import { MAX_MODEL_CONFIDENCE } from "../../src/core/attribution/model/constants.ts";
import { isModelEligiblePath } from "../../src/core/attribution/model/labels.ts";
import { detectionSignalsSchema } from "../../src/core/attribution/signals.ts";
import {
  DETECTION_METHODS,
  EVENT_TYPES,
  type EventType,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  MEMBER_ROLES,
  RISK_TIERS,
} from "../../src/core/enums.ts";
import { parseEventMetadata } from "../../src/core/events.ts";
import { incidentMetadataSchema } from "../../src/core/incidents.ts";
import { orgSettingsSchema, repoSettingsSchema } from "../../src/core/settings.ts";
import { createAuth } from "../../src/server/auth/better-auth.ts";
import {
  accounts,
  attributionOverrides,
  codeAttribution,
  codeEvents,
  githubInstallations,
  incidents,
  mlModels,
  organizationMembers,
  organizations,
  repoMetrics,
  repositories,
  users,
} from "../../src/server/db/schema/index.ts";
import { loadEnv } from "../../src/server/env.ts";
import {
  countRows,
  DEMO_CREDENTIALS,
  generateSeedPlan,
  isDatabaseEmpty,
  landedBeforeModel,
  modelTrainedAt,
  type RowCounts,
  type SeedPlan,
  type SeedResult,
  seedDatabase,
  startOfUtcWeek,
} from "../../src/server/seed/index.ts";
import { overridesByCommit } from "../../src/server/services/attribution/override.ts";
import { resolveIncidentLink } from "../../src/server/services/incidents/link.ts";
import { getActiveModel } from "../../src/server/services/ml-models.ts";
import { useTestDatabase } from "../helpers/db.ts";

const database = useTestDatabase();
const ANCHOR = new Date("2026-11-23T00:00:00Z");
const DAY = 86_400_000;

let emptyBefore = false;
let plan: SeedPlan;
let first: SeedResult;
let afterFirst: RowCounts;
let second: SeedResult;
let afterSecond: RowCounts;

beforeAll(async () => {
  const { db } = database();
  emptyBefore = await isDatabaseEmpty(db);
  first = await seedDatabase(db, { anchor: ANCHOR });
  plan = generateSeedPlan({ anchor: ANCHOR });
  afterFirst = await countRows(db);
  second = await seedDatabase(db, { anchor: new Date(ANCHOR.getTime() + 7 * DAY) });
  afterSecond = await countRows(db);
}, 180_000);

describe("seedDatabase", () => {
  it("fills an empty database, and a second run (even a week later) adds nothing", async () => {
    expect(emptyBefore).toBe(true);
    expect(await isDatabaseEmpty(database().db)).toBe(false);
    expect(first.seededOrgs).toEqual(["acme", "globex"]);
    expect(first.inserted).toEqual(afterFirst);
    expect(afterFirst.code_events).toBeGreaterThan(2000);
    expect(afterFirst.code_attribution).toBeGreaterThan(afterFirst.code_events / 2);
    // Ends with a full roll-up: 6 repositories × (the days with activity + 13–14 weeks + 4 months).
    expect(afterFirst.repo_metrics).toBeGreaterThan(6 * (60 + 13 + 3));
    const weeks = await database()
      .db.select({ repoId: repoMetrics.repoId, n: sql<number>`count(*)::int` })
      .from(repoMetrics)
      .where(eq(repoMetrics.period, "week"))
      .groupBy(repoMetrics.repoId);
    expect(weeks).toHaveLength(6);
    for (const { n } of weeks) expect(n).toBeGreaterThanOrEqual(13);
    expect(second.skippedOrgs).toEqual(["acme", "globex"]);
    expect(Object.values(second.inserted).every((n) => n === 0)).toBe(true);
    expect(afterSecond).toEqual(afterFirst);
  });

  it("keeps the history in the 90 days before the anchor, which npm start sets to this week's Monday", async () => {
    const [span] = await database()
      .db.select({
        first: sql<string>`min(${codeEvents.timestamp})::text`,
        last: sql<string>`max(${codeEvents.timestamp})::text`,
      })
      .from(codeEvents);
    expect(new Date(span?.first ?? 0).getTime()).toBeGreaterThanOrEqual(ANCHOR.getTime() - 90 * DAY);
    expect(new Date(span?.first ?? 0).getTime()).toBeLessThan(ANCHOR.getTime() - 85 * DAY);
    expect(new Date(span?.last ?? 0).getTime()).toBeLessThan(ANCHOR.getTime());
    expect(new Date(span?.last ?? 0).getTime()).toBeGreaterThan(ANCHOR.getTime() - DAY);

    const monday = "2026-11-23T00:00:00.000Z";
    expect(startOfUtcWeek(new Date("2026-11-26T13:05:00Z")).toISOString()).toBe(monday);
    expect(startOfUtcWeek(new Date(monday)).toISOString()).toBe(monday);
    expect(startOfUtcWeek(new Date("2026-11-29T23:59:59Z")).toISOString()).toBe(monday);
    expect(startOfUtcWeek(new Date("2026-11-22T23:59:59Z")).toISOString()).toBe("2026-11-16T00:00:00.000Z");
  });

  it("writes the history of its plan: same anchor, same commits", async () => {
    expect(generateSeedPlan({ anchor: ANCHOR })).toEqual(plan);
    const { db } = database();
    const plannedCommits = plan.orgs.flatMap((o) => o.repositories.flatMap((r) => r.history.commits));
    const shas = await db
      .select({ sha: codeEvents.commitSha, at: codeEvents.timestamp })
      .from(codeEvents)
      .where(eq(codeEvents.eventType, "commit"));
    expect(shas.map((s) => `${s.sha}@${s.at.toISOString()}`).sort()).toEqual(
      plannedCommits.map((c) => `${c.input.sha}@${c.input.committedAt}`).sort(),
    );
    expect(new Set(shas.map((s) => s.sha)).size).toBe(shas.length);

    // Another seed string is another history.
    const other = generateSeedPlan({ anchor: ANCHOR, seed: "another" });
    expect(other.orgs[0]?.repositories[0]?.history.commits[0]?.input.sha).not.toEqual(
      plan.orgs[0]?.repositories[0]?.history.commits[0]?.input.sha,
    );
  });

  it("gives the engine a PR context that matches the stored pull-request events", async () => {
    const { db } = database();
    const merged = await db
      .select({ sha: codeEvents.commitSha, metadata: codeEvents.metadata })
      .from(codeEvents)
      .where(eq(codeEvents.eventType, "pr_merged"));
    const opened = await db
      .select({ repoId: codeEvents.repoId, metadata: codeEvents.metadata })
      .from(codeEvents)
      .where(eq(codeEvents.eventType, "pr_opened"));
    const mergedBySha = new Map(merged.map((m) => [m.sha, parseEventMetadata("pr_merged", m.metadata)]));
    let withContext = 0;
    for (const repo of plan.orgs.flatMap((o) => o.repositories)) {
      const bodies = new Map(
        opened
          .filter((o) => o.repoId === repo.row.id)
          .map((o) => parseEventMetadata("pr_opened", o.metadata))
          .map((o) => [o.number, o.body]),
      );
      for (const { input, pullRequest } of repo.history.commits) {
        const event = mergedBySha.get(input.sha);
        if (!pullRequest) {
          expect(event).toBeUndefined();
          continue;
        }
        withContext++;
        // What storedPullRequestOf reads for this commit, field by field.
        expect(event?.mergeCommitSha).toBe(input.sha);
        expect({
          number: pullRequest.number,
          title: pullRequest.title,
          labels: pullRequest.labels,
          headBranch: pullRequest.headBranch,
          authorLogin: pullRequest.authorLogin,
          mergeMethod: pullRequest.mergeMethod,
          commits: pullRequest.commits.length,
        }).toEqual({
          number: event?.number,
          title: event?.title,
          labels: event?.labels,
          headBranch: event?.headBranch,
          authorLogin: event?.author,
          mergeMethod: event?.mergeMethod,
          commits: event?.commits,
        });
        expect(pullRequest.body).toBe(bodies.get(pullRequest.number));
      }
    }
    expect(withContext).toBe(merged.length);
  });

  it("stores exactly what the engine returns for every seeded commit, with the stored rules, overrides and model", async () => {
    const { db } = database();
    let compared = 0;
    for (const orgPlan of plan.orgs) {
      const [org] = await db.select().from(organizations).where(eq(organizations.slug, orgPlan.slug));
      if (!org) throw new Error(`organization ${orgPlan.slug} missing`);
      const model = await getActiveModel({ db, orgId: org.id, actor: { kind: "system" } });
      for (const repoPlan of orgPlan.repositories) {
        const [repo] = await db.select().from(repositories).where(eq(repositories.id, repoPlan.row.id));
        if (!repo) throw new Error(`repository ${repoPlan.row.fullName} missing`);
        const tierRules = [...org.settings.tierRules, ...repo.settings.tierRules];
        const overrides = await overridesByCommit(db, { orgId: org.id, repoId: repo.id });
        const stored = new Map(
          (await db.select().from(codeAttribution).where(eq(codeAttribution.repoId, repo.id))).map((r) => [
            `${r.commitSha}:${r.filePath}`,
            r,
          ]),
        );
        for (const commit of repoPlan.history.commits) {
          // What the attribute-commit job gives the engine; the model only once it existed.
          const result = attributeCommit(commit.input, {
            pullRequest: commit.pullRequest,
            tierRules,
            overrides: overrides.get(commit.input.sha) ?? [],
            model: landedBeforeModel(commit, ANCHOR) ? null : model,
          });
          for (const file of result.files) {
            const row = stored.get(`${commit.input.sha}:${file.path}`);
            expect(row, `${commit.input.sha}:${file.path}`).toBeDefined();
            if (!row) continue;
            expect({
              aiConfidence: row.aiConfidence === null ? null : Math.fround(row.aiConfidence),
              detectionMethod: row.detectionMethod,
              riskTier: row.riskTier,
              lines: { ai: row.aiLines, human: row.humanLines, unknown: row.unknownLines },
              linesAdded: row.linesAdded,
              linesDeleted: row.linesDeleted,
              tool: row.tool,
              model: row.model,
              engineVersion: row.engineVersion,
              detectionSignals: row.detectionSignals,
              committedAt: row.committedAt.toISOString(),
            }).toEqual({
              aiConfidence: file.aiConfidence === null ? null : Math.fround(file.aiConfidence),
              detectionMethod: file.detectionMethod,
              riskTier: file.riskTier,
              lines: file.lines,
              linesAdded: file.linesAdded,
              linesDeleted: file.linesDeleted,
              tool: file.tool,
              model: file.model,
              engineVersion: ENGINE_VERSION,
              detectionSignals: file.detectionSignals,
              committedAt: new Date(commit.input.committedAt).toISOString(),
            });
            stored.delete(`${commit.input.sha}:${file.path}`);
            compared++;
          }
        }
        // No row the engine did not produce.
        expect([...stored.keys()]).toEqual([]);
      }
    }
    expect(compared).toBe(afterFirst.code_attribution);
  }, 120_000);

  it("keeps every confidence within the engine's bounds for its method, and names only models that exist", async () => {
    const { db } = database();
    const models = await db.select().from(mlModels);
    const versions = new Map(models.map((m) => [`${m.orgId}:${m.version}`, m]));
    const rows = await db.select().from(codeAttribution);
    const byMethod = new Map<string | null, number>();
    for (const row of rows) {
      byMethod.set(row.detectionMethod, (byMethod.get(row.detectionMethod) ?? 0) + 1);
      const signals = detectionSignalsSchema.parse(row.detectionSignals);
      switch (row.detectionMethod) {
        case "ml_model": {
          expect(row.aiConfidence).toBeLessThanOrEqual(MAX_MODEL_CONFIDENCE);
          const version = signals.model?.version ?? "";
          const model = versions.get(`${row.orgId}:${version}`);
          expect(model, `model ${version} of ${row.orgId}`).toBeDefined();
          expect(model?.active).toBe(true);
          // Lines count as AI exactly when the score reaches the model's stored threshold.
          const score = signals.model?.score ?? 0;
          expect(row.aiConfidence).toBeCloseTo(Math.min(score, MAX_MODEL_CONFIDENCE), 4);
          expect(row.aiLines).toBe(score >= (model?.threshold ?? 1) ? row.linesAdded : 0);
          break;
        }
        case "heuristic":
          expect(signals.model).toBeNull();
          expect(row.aiConfidence).toBeGreaterThan(0);
          expect(row.aiConfidence).toBeLessThanOrEqual(1);
          break;
        case "manual_override":
          expect([0, 1]).toContain(row.aiConfidence);
          expect(signals.override).not.toBeNull();
          break;
        case null:
          expect(row.aiConfidence).toBeNull();
          expect(signals.model).toBeNull();
          break;
      }
    }
    // The demo shows every method; the model is acme's own, trained on the seeded history.
    expect(new Set(byMethod.keys())).toEqual(new Set([...DETECTION_METHODS, null]));
    expect(models).toHaveLength(1);
  });

  it("trains acme's model with the product's training code on labelled history before its training day; globex has none", async () => {
    const { db } = database();
    const [acme] = await db.select().from(organizations).where(eq(organizations.slug, "acme"));
    const [model] = await db.select().from(mlModels);
    expect(model?.orgId).toBe(acme?.id);
    const trainedAt = modelTrainedAt(ANCHOR);
    expect(model?.version).toMatch(
      new RegExp(`^lr-${trainedAt.toISOString().slice(0, 10).replaceAll("-", "")}-[0-9a-f]{12}$`),
    );
    const trainedOn = model?.trainedOn;
    expect(trainedOn?.ai).toBeGreaterThanOrEqual(200);
    expect(trainedOn?.human).toBeGreaterThanOrEqual(200);
    expect(trainedOn?.labelSources.heuristic).toBe(trainedOn?.ai);
    expect(trainedOn?.labelSources.beforeAiEra).toBe(trainedOn?.human);
    expect(new Date(trainedOn?.to ?? 0).getTime()).toBeLessThan(trainedAt.getTime());
    expect(model?.metrics.heldOut.auroc).toBeGreaterThan(0.5);
    // Verdicts made before the training day have no model in them.
    const early = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(codeAttribution)
      .where(
        sql`${codeAttribution.detectionMethod} = 'ml_model' AND ${codeAttribution.committedAt} < ${new Date(trainedAt.getTime() - 3 * DAY)}`,
      );
    expect(early[0]?.n).toBe(0);
  });

  it("puts two organizations on different plans, with every role in each and an installation each", async () => {
    const { db } = database();
    const orgs = await db.select().from(organizations).orderBy(organizations.slug);
    expect(orgs.map((o) => [o.slug, o.name, o.plan])).toEqual([
      ["acme", "Acme Robotics", "team"],
      ["globex", "Globex", "free"],
    ]);
    for (const org of orgs) {
      const roles = await db
        .selectDistinct({ role: organizationMembers.role })
        .from(organizationMembers)
        .where(eq(organizationMembers.orgId, org.id));
      expect(roles.map((r) => r.role).sort()).toEqual([...MEMBER_ROLES].sort());
      const [installation] = await db
        .select()
        .from(githubInstallations)
        .where(eq(githubInstallations.orgId, org.id));
      expect(installation?.accountType).toBe("organization");
      const repos = await db.select().from(repositories).where(eq(repositories.orgId, org.id));
      expect(repos.length).toBe(org.slug === "acme" ? 4 : 2);
      for (const repo of repos) expect(repo.installationId).toBe(installation?.installationId);
    }
  });

  it("lets the demo owner and viewer sign in with Better Auth", async () => {
    const { db } = database();
    for (const [credential, role] of [
      [DEMO_CREDENTIALS.owner, "owner"],
      [DEMO_CREDENTIALS.viewer, "viewer"],
    ] as const) {
      const [row] = await db
        .select({
          hash: accounts.password,
          accountId: accounts.accountId,
          userId: users.id,
          role: organizationMembers.role,
        })
        .from(users)
        .innerJoin(accounts, and(eq(accounts.userId, users.id), eq(accounts.providerId, "credential")))
        .innerJoin(organizationMembers, eq(organizationMembers.userId, users.id))
        .innerJoin(
          organizations,
          and(eq(organizations.id, organizationMembers.orgId), eq(organizations.slug, "acme")),
        )
        .where(eq(users.email, credential.email));
      expect(row?.role).toBe(role);
      expect(row?.accountId).toBe(row?.userId);
      expect(await verifyPassword({ hash: row?.hash ?? "", password: credential.password })).toBe(true);
      expect(await verifyPassword({ hash: row?.hash ?? "", password: "wrong-password" })).toBe(false);
    }
    // And through Better Auth's own sign-in endpoint, as the dashboard does.
    const auth = createAuth(
      database().db,
      loadEnv({ BETTER_AUTH_SECRET: "s".repeat(40), LOG_LEVEL: "silent" }),
    );
    const signIn = (password: string) =>
      auth.api.signInEmail({ body: { email: DEMO_CREDENTIALS.owner.email, password }, asResponse: true });
    expect((await signIn(DEMO_CREDENTIALS.owner.password)).status).toBe(200);
    expect((await signIn("not-the-password")).status).toBe(401);
  });

  it("stores only values the enums and zod schemas accept", async () => {
    const { db } = database();
    for (const org of await db.select().from(organizations)) orgSettingsSchema.parse(org.settings);
    for (const repo of await db.select().from(repositories)) repoSettingsSchema.parse(repo.settings);
    const events = await db.select().from(codeEvents);
    for (const event of events) parseEventMetadata(event.eventType as EventType, event.metadata);
    expect(new Set(events.map((e) => e.eventType))).toEqual(new Set(EVENT_TYPES));
    for (const row of await db.select().from(codeAttribution)) {
      const signals = detectionSignalsSchema.parse(row.detectionSignals);
      expect(signals.engineVersion).toBe(ENGINE_VERSION);
      expect(signals.lines).toEqual({ ai: row.aiLines, human: row.humanLines, unknown: row.unknownLines });
      expect(row.aiLines + row.humanLines + row.unknownLines).toBe(row.linesAdded);
    }
    const stored = await db.select().from(incidents);
    for (const incident of stored) incidentMetadataSchema.parse(incident.metadata);
    expect(new Set(stored.map((i) => i.severity))).toEqual(new Set(INCIDENT_SEVERITIES));
    expect(new Set(stored.map((i) => i.status))).toEqual(new Set(INCIDENT_STATUSES));
  });

  it("covers every detection method, unknown, and every risk tier, each consistent with its evidence", async () => {
    const { db } = database();
    const rows = await db
      .select({
        a: codeAttribution,
        message: sql<string>`${codeEvents.metadata}->>'message'`,
        at: codeEvents.timestamp,
      })
      .from(codeAttribution)
      .innerJoin(
        codeEvents,
        and(
          eq(codeEvents.repoId, codeAttribution.repoId),
          eq(codeEvents.commitSha, codeAttribution.commitSha),
          eq(codeEvents.eventType, "commit"),
        ),
      );
    expect(rows.length).toBe(afterFirst.code_attribution);
    expect(new Set(rows.map((r) => r.a.detectionMethod))).toEqual(new Set([...DETECTION_METHODS, null]));
    expect(new Set(rows.map((r) => r.a.riskTier))).toEqual(new Set(RISK_TIERS));

    for (const { a, message, at } of rows) {
      expect(a.committedAt.getTime()).toBe(at.getTime());
      const signals = detectionSignalsSchema.parse(a.detectionSignals);
      if (a.detectionMethod === "heuristic") {
        expect(signals.signals.length).toBeGreaterThan(0);
      } else if (a.detectionMethod === null) {
        expect(a.unknownLines).toBe(a.linesAdded);
      }
      // Dependabot and Renovate are automation, not AI: no signal names a tool for them, and the
      // model (trained on source files) says nothing about their lockfiles and manifests.
      if (/^(Bump |chore\(deps\): update dependency)/.test(message)) {
        expect(a.tool).toBeNull();
        expect(a.detectionMethod).not.toBe("heuristic");
        if (!isModelEligiblePath(a.filePath)) expect(a.aiLines).toBe(0);
      }
    }

    const overrides = await db.select().from(attributionOverrides);
    const manual = rows.filter((r) => r.a.detectionMethod === "manual_override").map((r) => r.a);
    // A file-level override, or one for the whole commit (no path), explains every manual verdict.
    expect(overrides.some((o) => o.filePath === null)).toBe(true);
    for (const o of overrides) {
      expect(
        manual.some((m) => m.commitSha === o.commitSha && (o.filePath === null || o.filePath === m.filePath)),
      ).toBe(true);
    }
    for (const row of manual) {
      const override = overrides.find(
        (o) =>
          o.repoId === row.repoId &&
          o.commitSha === row.commitSha &&
          (o.filePath ?? row.filePath) === row.filePath,
      );
      expect(override?.orgId).toBe(row.orgId);
      expect(detectionSignalsSchema.parse(row.detectionSignals).override?.reason).toBe(override?.reason);
      expect(override?.verdict === "ai" ? row.aiLines : row.humanLines).toBe(row.linesAdded);
    }
  });

  it("shows AI's share of added lines rising from the first 30 days to the last 30", async () => {
    const { db } = database();
    const share = async (from: number, to: number) => {
      const [row] = await db
        .select({
          ai: sql<number>`sum(${codeAttribution.aiLines})::float`,
          added: sql<number>`sum(${codeAttribution.linesAdded})::float`,
        })
        .from(codeAttribution)
        .where(
          sql`${codeAttribution.committedAt} >= ${new Date(ANCHOR.getTime() - from * DAY)} AND ${codeAttribution.committedAt} < ${new Date(ANCHOR.getTime() - to * DAY)}`,
        );
      return (row?.ai ?? 0) / (row?.added || 1);
    };
    const early = await share(90, 60);
    const late = await share(30, 0);
    expect(late).toBeGreaterThan(early + 0.1);
  });

  it("stores every repository's line survival, computed by the ledger over its landed history, and churn in repo_metrics", async () => {
    const { db } = database();
    const state = await db.execute(
      sql`SELECT repo_id, source, commits, lines_at_tip, older_lines FROM line_survival_state`,
    );
    const repos = await db.execute(sql`SELECT count(*)::int AS n FROM repositories`);
    expect(state.rows.length).toBe(Number(repos.rows[0]?.n));
    for (const r of state.rows) {
      expect(r.source).toBe("seed");
      expect(Number(r.lines_at_tip)).toBeGreaterThan(Number(r.older_lines));
    }
    // What each tip holds equals the lines still present, row by row: one walk, stored consistently.
    const sums = await db.execute(sql`
      SELECT st.repo_id, st.lines_at_tip - st.older_lines AS tracked, coalesce(sum(s.lines_present), 0)::int AS present
      FROM line_survival_state st LEFT JOIN line_survival s ON s.repo_id = st.repo_id
      GROUP BY st.repo_id, st.lines_at_tip, st.older_lines`);
    for (const r of sums.rows) expect(Number(r.present)).toBe(Number(r.tracked));
    const churn = await db.execute(sql`
      SELECT sum(churn_lines_14d)::int AS lines, sum(churned_lines_14d)::int AS churned,
             sum(ai_churn_lines_14d)::int AS ai_lines, sum(ai_churned_lines_14d)::int AS ai_churned
      FROM repo_metrics WHERE period = 'day'`);
    const c = churn.rows[0] ?? {};
    expect(Number(c.ai_lines)).toBeGreaterThan(0);
    expect(Number(c.churned)).toBeGreaterThan(0);
    expect(Number(c.churned)).toBeLessThan(Number(c.lines));
  });

  it("links each incident to the last successful production deploy before it, with an event per status", async () => {
    const { db } = database();
    const stored = await db.select().from(incidents);
    expect(stored.length).toBeGreaterThanOrEqual(8);
    for (const incident of stored) {
      expect(incident.linkMethod).toBe("inferred");
      const [deploy] = await db
        .select()
        .from(codeEvents)
        .where(eq(codeEvents.id, incident.deployEventId ?? "00000000-0000-0000-0000-000000000000"));
      expect(deploy?.commitSha).toBe(incident.deploySha);
      expect(deploy?.repoId).toBe(incident.repoId);
      expect(deploy?.timestamp.getTime()).toBeLessThan(incident.startedAt.getTime());
      const between = await db
        .select({ id: codeEvents.id })
        .from(codeEvents)
        .where(
          sql`${codeEvents.repoId} = ${incident.repoId} AND ${codeEvents.eventType} = 'deploy'
              AND ${codeEvents.metadata}->>'state' = 'success'
              AND ${codeEvents.timestamp} > ${deploy?.timestamp ?? new Date(0)}
              AND ${codeEvents.timestamp} < ${incident.startedAt}`,
        );
      expect(between).toEqual([]);

      const history = incidentMetadataSchema.parse(incident.metadata).history;
      expect(history.map((h) => h.status)).toEqual(
        INCIDENT_STATUSES.slice(0, INCIDENT_STATUSES.indexOf(incident.status) + 1),
      );
      const events = await db
        .select({ metadata: codeEvents.metadata })
        .from(codeEvents)
        .where(
          sql`${codeEvents.eventType} = 'incident' AND ${codeEvents.metadata}->>'incidentId' = ${incident.id}`,
        );
      expect(events.length).toBe(history.length);
      if (incident.resolvedAt)
        expect(incident.resolvedAt.getTime()).toBeGreaterThan(incident.startedAt.getTime());
      // The link and the suspect figures are the incident linker's own answer.
      const { deployAt: _, ...link } = await resolveIncidentLink(db, incident.orgId, {
        repoId: incident.repoId,
        startedAt: incident.startedAt,
      });
      expect({
        deployEventId: incident.deployEventId,
        deploySha: incident.deploySha,
        commitSha: incident.commitSha,
        linkMethod: incident.linkMethod,
        suspectAiShare: incident.suspectAiShare,
        suspectLinesAdded: incident.suspectLinesAdded,
        suspectAiLinesT3T4: incident.suspectAiLinesT3T4,
      }).toEqual(link);
      expect(incident.startedAt.getTime()).toBeLessThan(ANCHOR.getTime());
    }
  });
});

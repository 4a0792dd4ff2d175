import { verifyPassword } from "better-auth/crypto";
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
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
  organizationMembers,
  organizations,
  repositories,
  users,
} from "../../src/server/db/schema/index.ts";
import {
  countRows,
  DEMO_CREDENTIALS,
  generateSeedPlan,
  isDatabaseEmpty,
  type RowCounts,
  type SeedResult,
  seedDatabase,
  startOfUtcWeek,
} from "../../src/server/db/seed/index.ts";
import { loadEnv } from "../../src/server/env.ts";
import { useTestDatabase } from "../helpers/db.ts";

const database = useTestDatabase();
const ANCHOR = new Date("2026-11-23T00:00:00Z");
const DAY = 86_400_000;

let emptyBefore = false;
let first: SeedResult;
let afterFirst: RowCounts;
let second: SeedResult;
let afterSecond: RowCounts;

beforeAll(async () => {
  const { db } = database();
  emptyBefore = await isDatabaseEmpty(db);
  first = await seedDatabase(db, { anchor: ANCHOR });
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
    // Ends with a full roll-up: 6 repositories × (≈91 days + 14 weeks + 4 months) of metrics.
    expect(afterFirst.repo_metrics).toBeGreaterThan(6 * 100);
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

  it("writes exactly the plan for its anchor: same anchor, same rows", async () => {
    const plan = generateSeedPlan({ anchor: ANCHOR });
    expect(generateSeedPlan({ anchor: ANCHOR })).toEqual(plan);
    const { db } = database();

    const planned = plan.orgs
      .flatMap((o) => o.attributions)
      .map(
        (a) =>
          `${a.commitSha}:${a.filePath}:${a.detectionMethod}:${a.riskTier}:${a.aiLines}:${a.committedAt?.toISOString()}`,
      )
      .sort();
    const stored = (
      await db
        .select({
          sha: codeAttribution.commitSha,
          path: codeAttribution.filePath,
          method: codeAttribution.detectionMethod,
          tier: codeAttribution.riskTier,
          ai: codeAttribution.aiLines,
          at: codeAttribution.committedAt,
        })
        .from(codeAttribution)
    )
      .map((a) => `${a.sha}:${a.path}:${a.method}:${a.tier}:${a.ai}:${a.at.toISOString()}`)
      .sort();
    expect(stored).toEqual(planned);

    const shas = await db
      .select({ sha: codeEvents.commitSha })
      .from(codeEvents)
      .where(eq(codeEvents.eventType, "commit"));
    const plannedShas = plan.orgs.flatMap((o) =>
      o.events.filter((e) => e.eventType === "commit").map((e) => e.commitSha),
    );
    expect(shas.map((s) => s.sha).sort()).toEqual(plannedShas.sort());
    expect(new Set(plannedShas).size).toBe(plannedShas.length);

    // Another seed string is another history.
    const other = generateSeedPlan({ anchor: ANCHOR, seed: "another" });
    expect(other.orgs[0]?.events[0]?.commitSha).not.toEqual(plan.orgs[0]?.events[0]?.commitSha);
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
      expect(signals.engineVersion).toBe("seed-1");
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
        author: sql<string>`(${codeEvents.metadata}->'author'->>'name') || ' <' || (${codeEvents.metadata}->'author'->>'email') || '>'`,
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

    for (const { a, message, author, at } of rows) {
      expect(a.committedAt.getTime()).toBe(at.getTime());
      const signals = detectionSignalsSchema.parse(a.detectionSignals);
      if (a.detectionMethod === "heuristic") {
        expect(signals.signals.length).toBeGreaterThan(0);
        // Every signal quotes a line of the commit message or the author it came from.
        for (const s of signals.signals) expect(`${message}\n${author}`).toContain(s.evidence);
        expect(a.aiConfidence).toBeGreaterThan(0.8);
      } else if (a.detectionMethod === "ml_model") {
        expect(signals.model?.score).toBe(a.aiConfidence);
      } else if (a.detectionMethod === null) {
        expect(a.aiConfidence).toBeNull();
        expect(a.unknownLines).toBe(a.linesAdded);
      }
      if (/Bump |update dependency/.test(message)) expect(a.aiLines).toBe(0);
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
      expect(incident.startedAt.getTime()).toBeLessThan(ANCHOR.getTime());
    }
  });
});

import type { IncidentSeverity } from "../../../core/enums.ts";
import { parseEventMetadata } from "../../../core/events.ts";
import { orgSettingsSchema, repoSettingsSchema } from "../../../core/settings.ts";
import type {
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
import { applyOverride, attributeCommit, type FileVerdict, type OverrideDecision } from "./attribution.ts";
import { DEMO_PASSWORD, ORGS, PEOPLE, type PersonKey, type SeedOrg } from "./fixtures.ts";
import { DAY, generateRepoHistory, type RepoHistory } from "./history.ts";
import { generateIncidents } from "./incidents.ts";
import { createRandom, type Random } from "./random.ts";

// The whole demo as rows, computed without touching the database: the same anchor and seed give
// the same rows, ids included, so tests can compare a plan with what was written.

export const DEFAULT_SEED = "sentinel-demo-v1";
/** A Monday; the history ends just before it. */
export const DEFAULT_ANCHOR = new Date("2026-11-23T00:00:00Z");

type Row<T extends { $inferInsert: unknown }> = T["$inferInsert"];

export interface OrgSeedPlan {
  slug: string;
  organization: Row<typeof organizations>;
  /** With the member's e-mail, so an existing user of that address is reused. */
  members: Array<{ row: Row<typeof organizationMembers>; email: string }>;
  installation: Row<typeof githubInstallations>;
  repositories: Array<Row<typeof repositories>>;
  events: Array<Row<typeof codeEvents>>;
  attributions: Array<Row<typeof codeAttribution>>;
  overrides: Array<Row<typeof attributionOverrides>>;
  incidents: Array<Row<typeof incidents>>;
}

export interface SeedPlan {
  anchor: Date;
  users: Array<Row<typeof users>>;
  /** Credential accounts carry the plain demo password; it is hashed at insert time. */
  accounts: Array<{ row: Row<typeof accounts>; password: string | null }>;
  orgs: OrgSeedPlan[];
}

export interface PlanOptions {
  anchor?: Date;
  seed?: string;
}

/** Ongoing incidents, so the dashboard shows every status: `org/repo` → status. */
const ONGOING: Record<string, "investigating" | "identified"> = {
  "acme/fleet-api": "investigating",
  "acme/operator-console": "identified",
  "globex/billing-service": "identified",
};

const OVERRIDE_REASONS = {
  notAi:
    "Hand-written during the incident review; the style model is thrown by the generated types in this file.",
  pasted: "The author confirmed this was pasted from a ChatGPT conversation.",
  editorTrailer:
    "The editor extension added the Copilot trailer by itself; no assistant was used (known VS Code bug).",
} as const;

export function generateSeedPlan(options: PlanOptions = {}): SeedPlan {
  const anchor = options.anchor ?? DEFAULT_ANCHOR;
  const root = createRandom(options.seed ?? DEFAULT_SEED);
  const userIds = new Map<PersonKey, string>();
  const people = Object.entries(PEOPLE) as Array<[PersonKey, (typeof PEOPLE)[PersonKey]]>;
  const userRandom = root.fork("users");
  const planUsers: SeedPlan["users"] = [];
  const planAccounts: SeedPlan["accounts"] = [];
  people.forEach(([key, person], i) => {
    const id = userRandom.alphanumeric(32);
    userIds.set(key, id);
    const createdAt = new Date(anchor.getTime() - (200 - i * 3) * DAY);
    planUsers.push({
      id,
      name: person.name,
      email: person.email,
      emailVerified: true,
      createdAt,
      updatedAt: createdAt,
    });
    planAccounts.push({
      row: {
        id: userRandom.alphanumeric(32),
        userId: id,
        accountId: String(person.githubId),
        providerId: "github",
        scope: "read:user,user:email",
        createdAt,
        updatedAt: createdAt,
      },
      password: null,
    });
    if (person.password) {
      planAccounts.push({
        row: {
          id: userRandom.alphanumeric(32),
          userId: id,
          accountId: id,
          providerId: "credential",
          createdAt,
          updatedAt: createdAt,
        },
        password: DEMO_PASSWORD,
      });
    }
  });
  const userId = (key: PersonKey): string => {
    const id = userIds.get(key);
    if (!id) throw new Error(`seed fixture names unknown person ${key}`);
    return id;
  };

  let severityIndex = 0;
  const severityRandom = root.fork("severity");
  // The first four cover every severity; the rest follow a realistic mix (sev1 rare).
  const nextSeverity = (): IncidentSeverity => {
    const fixed = (["sev2", "sev1", "sev3", "sev4"] as const)[severityIndex++];
    return (
      fixed ??
      severityRandom.weighted([
        ["sev1", 1],
        ["sev2", 3],
        ["sev3", 5],
        ["sev4", 3],
      ] as const)
    );
  };

  const orgs = ORGS.map((org) => planOrg(root.fork(`org:${org.slug}`), org, anchor, userId, nextSeverity));
  return { anchor, users: planUsers, accounts: planAccounts, orgs };
}

function planOrg(
  random: Random,
  org: SeedOrg,
  anchor: Date,
  userId: (key: PersonKey) => string,
  nextSeverity: () => IncidentSeverity,
): OrgSeedPlan {
  const orgId = random.uuid();
  const createdAt = new Date(anchor.getTime() - 150 * DAY);
  const settings = orgSettingsSchema.parse(org.settings);
  const plan: OrgSeedPlan = {
    slug: org.slug,
    organization: {
      id: orgId,
      name: org.name,
      slug: org.slug,
      plan: org.plan,
      settings,
      createdAt,
      updatedAt: createdAt,
    },
    members: org.members.map(([key, role], i) => {
      const at = new Date(createdAt.getTime() + i * DAY);
      return {
        row: { id: random.uuid(), orgId, userId: userId(key), role, createdAt: at, updatedAt: at },
        email: PEOPLE[key].email,
      };
    }),
    installation: {
      id: random.uuid(),
      orgId,
      installationId: org.installationId,
      accountLogin: org.githubLogin,
      accountId: org.githubAccountId,
      accountType: "organization",
      repositorySelection: "selected",
      createdAt,
      updatedAt: createdAt,
    },
    repositories: [],
    events: [],
    attributions: [],
    overrides: [],
    incidents: [],
  };

  const responders = org.members.filter(([, role]) => role !== "viewer").map(([key]) => PEOPLE[key].login);
  const verdicts: Array<FileVerdict & { repoId: string }> = [];
  for (const repo of org.repos) {
    const repoRandom = random.fork(`repo:${repo.name}`);
    const repoId = repoRandom.uuid();
    const fullName = `${org.githubLogin}/${repo.name}`;
    const repoSettings = repoSettingsSchema.parse(repo.settings);
    const history = generateRepoHistory(repoRandom.fork("history"), org, repo, anchor);
    plan.repositories.push({
      id: repoId,
      orgId,
      installationId: org.installationId,
      githubId: repoRandom.int(600_000_000, 990_000_000),
      fullName,
      defaultBranch: "main",
      isPrivate: repo.name !== "storefront",
      settings: repoSettings,
      lastAnalyzedSha: history.commits[history.commits.length - 1]?.sha ?? null,
      createdAt,
      updatedAt: createdAt,
    });

    const rules = [...settings.tierRules, ...repoSettings.tierRules];
    const attributionRandom = repoRandom.fork("attribution");
    const verdictsBySha = new Map<string, FileVerdict[]>();
    for (const commit of history.commits) {
      const fileVerdicts = attributeCommit(attributionRandom, commit, rules);
      verdictsBySha.set(commit.sha, fileVerdicts);
      for (const v of fileVerdicts) verdicts.push({ ...v, repoId });
    }

    const eventRandom = repoRandom.fork("events");
    const deployEventIds = new Map<number, string>();
    plan.events.push(...historyEvents(eventRandom, history, { orgId, repoId, fullName, deployEventIds }));

    const lastPr = history.pullRequests[history.pullRequests.length - 1]?.number ?? repo.firstPr;
    const generated = generateIncidents({
      random: repoRandom.fork("incidents"),
      org,
      repo,
      orgId,
      repoId,
      fullName,
      anchor,
      deploys: history.deploys,
      deployEventIds,
      verdictsBySha,
      ongoing: ONGOING[`${org.slug}/${repo.name}`] ?? null,
      nextSeverity,
      responders,
      issueNumber: lastPr + 1,
    });
    plan.incidents.push(...generated.incidents);
    plan.events.push(...generated.events);
  }

  const overridden = chooseOverrides(random.fork("overrides"), verdicts, anchor);
  const actorKey = org.members.find(([, role]) => role === "admin")?.[0] ?? org.members[0]?.[0];
  const actor = `user:${actorKey ? userId(actorKey) : "unknown"}`;
  for (const { indexes, wholeCommit, decision } of overridden) {
    const first = verdicts[indexes[0] ?? -1];
    if (!first) continue;
    const at = new Date(
      Math.min(first.committedAt.getTime() + random.float(1, 5) * DAY, anchor.getTime() - DAY),
    );
    for (const index of indexes) {
      const original = verdicts[index];
      if (original)
        verdicts[index] = { ...applyOverride(original, decision, actor, at), repoId: original.repoId };
    }
    plan.overrides.push({
      id: random.uuid(),
      orgId,
      repoId: first.repoId,
      commitSha: first.commitSha,
      filePath: wholeCommit ? null : first.filePath,
      verdict: decision.verdict,
      riskTier: decision.riskTier,
      actor,
      reason: decision.reason,
      createdAt: at,
      updatedAt: at,
    });
  }
  plan.attributions = verdicts.map(({ analysedAt, ...v }) => ({
    id: random.uuid(),
    orgId,
    repoId: v.repoId,
    commitSha: v.commitSha,
    filePath: v.filePath,
    aiConfidence: v.aiConfidence,
    detectionMethod: v.detectionMethod,
    riskTier: v.riskTier,
    detectionSignals: v.detectionSignals,
    linesAdded: v.linesAdded,
    linesDeleted: v.linesDeleted,
    aiLines: v.aiLines,
    humanLines: v.humanLines,
    unknownLines: v.unknownLines,
    tool: v.tool,
    model: v.model,
    engineVersion: v.detectionSignals.engineVersion,
    committedAt: v.committedAt,
    createdAt: analysedAt,
    updatedAt: analysedAt,
  }));
  return plan;
}

/**
 * A few verdicts people corrected by hand: model false positives and a paste (one file each), and
 * an editor's stray Copilot trailer (the whole commit, as the override service records it: no path).
 */
function chooseOverrides(
  random: Random,
  verdicts: ReadonlyArray<FileVerdict & { repoId: string }>,
  anchor: Date,
): Array<{ indexes: number[]; wholeCommit: boolean; decision: OverrideDecision }> {
  const old = anchor.getTime() - 10 * DAY;
  const indexes = (test: (v: FileVerdict) => boolean) =>
    verdicts.flatMap((v, i) => (v.committedAt.getTime() < old && test(v) ? [i] : []));
  const picks: Array<{ indexes: number[]; wholeCommit: boolean; decision: OverrideDecision }> = [];
  const take = (candidates: number[], count: number, decision: OverrideDecision) => {
    for (const index of random.sample(candidates, count))
      picks.push({ indexes: [index], wholeCommit: false, decision });
  };
  take(
    indexes((v) => v.detectionMethod === "ml_model" && v.aiLines > 0),
    2,
    {
      verdict: "human",
      riskTier: null,
      reason: OVERRIDE_REASONS.notAi,
    },
  );
  take(
    indexes((v) => v.detectionMethod === null && v.riskTier === "T2_glue"),
    1,
    {
      verdict: "ai",
      riskTier: "T3_core",
      reason: OVERRIDE_REASONS.pasted,
    },
  );
  const [copilot] = random.sample(
    indexes((v) => v.detectionMethod === "heuristic" && v.tool === "copilot"),
    1,
  );
  const target = copilot === undefined ? undefined : verdicts[copilot];
  if (target) {
    const sameCommit = verdicts.flatMap((v, i) =>
      v.repoId === target.repoId && v.commitSha === target.commitSha ? [i] : [],
    );
    picks.push({
      indexes: sameCommit,
      wholeCommit: true,
      decision: { verdict: "human", riskTier: null, reason: OVERRIDE_REASONS.editorTrailer },
    });
  }
  return picks;
}

function historyEvents(
  random: Random,
  history: RepoHistory,
  ids: { orgId: string; repoId: string; fullName: string; deployEventIds: Map<number, string> },
): Array<Row<typeof codeEvents>> {
  const { orgId, repoId, fullName } = ids;
  const events: Array<Row<typeof codeEvents>> = [];
  const received = (at: Date) => new Date(at.getTime() + random.int(1, 40) * 1000);
  const url = `https://github.com/${fullName}`;

  for (const commit of history.commits) {
    const additions = commit.files.reduce((sum, f) => sum + f.additions, 0);
    const deletions = commit.files.reduce((sum, f) => sum + f.deletions, 0);
    events.push({
      id: random.uuid(),
      orgId,
      repoId,
      eventType: "commit",
      commitSha: commit.sha,
      timestamp: commit.committedAt,
      actor: commit.author.login,
      sourceKey: commit.sha,
      metadata: parseEventMetadata("commit", {
        message: commit.message,
        author: commit.author,
        committer: commit.committer,
        parents: commit.parents,
        branch: "main",
        additions,
        deletions,
        filesChanged: commit.files.length,
        url: `${url}/commit/${commit.sha}`,
        source: "seed",
      }),
      createdAt: received(commit.landedAt),
    });
  }

  for (const pr of history.pullRequests) {
    const base = {
      number: pr.number,
      title: pr.title,
      author: pr.author.login,
      authorIsBot: pr.authorIsBot,
      headBranch: pr.headBranch,
      baseBranch: "main",
      labels: pr.labels,
      url: `${url}/pull/${pr.number}`,
    };
    events.push({
      id: random.uuid(),
      orgId,
      repoId,
      eventType: "pr_opened",
      commitSha: null,
      timestamp: pr.openedAt,
      actor: pr.author.login,
      sourceKey: `pr:${pr.number}`,
      metadata: parseEventMetadata("pr_opened", { ...base, body: pr.body, reopened: false }),
      createdAt: received(pr.openedAt),
    });
    for (const review of pr.reviews) {
      events.push({
        id: random.uuid(),
        orgId,
        repoId,
        eventType: "pr_reviewed",
        commitSha: null,
        timestamp: review.at,
        actor: review.reviewer,
        sourceKey: `pr:${pr.number}:review:${review.id}`,
        metadata: parseEventMetadata("pr_reviewed", {
          number: pr.number,
          reviewer: review.reviewer,
          state: review.state,
          url: `${url}/pull/${pr.number}#pullrequestreview-${review.id}`,
        }),
        createdAt: received(review.at),
      });
    }
    if (pr.merged) {
      events.push({
        id: random.uuid(),
        orgId,
        repoId,
        eventType: "pr_merged",
        commitSha: pr.merged.sha,
        timestamp: pr.merged.at,
        actor: pr.merged.by,
        sourceKey: `pr:${pr.number}`,
        metadata: parseEventMetadata("pr_merged", {
          ...base,
          mergeMethod: pr.merged.method,
          mergeCommitSha: pr.merged.sha,
          openedAt: pr.openedAt.toISOString(),
          commits: pr.merged.commits,
        }),
        createdAt: received(pr.merged.at),
      });
    }
  }

  for (const deploy of history.deploys) {
    const id = random.uuid();
    if (deploy.state === "success") ids.deployEventIds.set(deploy.deploymentId, id);
    events.push({
      id,
      orgId,
      repoId,
      eventType: "deploy",
      commitSha: deploy.sha,
      timestamp: deploy.at,
      actor: "github-actions[bot]",
      sourceKey: `deploy:${deploy.deploymentId}:${deploy.state}`,
      metadata: parseEventMetadata("deploy", {
        environment: "production",
        state: deploy.state,
        production: true,
        deploymentId: deploy.deploymentId,
        ref: "main",
        url: `${url}/deployments/${deploy.deploymentId}`,
      }),
      createdAt: received(deploy.at),
    });
  }
  return events;
}

import type { CommitInput } from "../../core/attribution/types.ts";
import { orgSettingsSchema, repoSettingsSchema, type TierRule } from "../../core/settings.ts";
import type {
  accounts,
  githubInstallations,
  organizationMembers,
  organizations,
  repositories,
  users,
} from "../db/schema/index.ts";
import type { NewCodeEvent } from "../services/github/code-events.ts";
import { DEMO_PASSWORD, ORGS, PEOPLE, type PersonKey, type SeedOrg, type SeedRepo } from "./fixtures.ts";
import { DAY, generateEarlyHistory, generateRepoHistory, type RepoHistory } from "./history.ts";
import { createRandom, type Random } from "./random.ts";

// The demo's world as git and GitHub would show it, computed without touching the database: the
// same anchor and seed give the same commits, events and rows, ids included. What the commits
// mean (AI share, tiers, incidents' suspects) is left to the engine and services (index.ts).

export const DEFAULT_SEED = "sentinel-demo-v1";
/** A Monday; the history ends just before it. */
export const DEFAULT_ANCHOR = new Date("2026-11-23T00:00:00Z");

type Row<T extends { $inferInsert: unknown }> = T["$inferInsert"];

export interface RepoSeedPlan {
  fixture: SeedRepo;
  row: Row<typeof repositories> & { id: string };
  /** The organization's tier rules, then the repository's: what the engine is given. */
  tierRules: TierRule[];
  history: RepoHistory;
  /** Commits from before the AI era, read only by the model's training (empty unless it trains here). */
  early: CommitInput[];
  /** Commit, pull-request and deploy events, as the webhooks would have recorded them. */
  events: NewCodeEvent[];
  /** Incidents still open at the anchor start on the latest deploy, in this state. */
  ongoing: "investigating" | "identified" | null;
  /** First free issue number, for incidents filed as GitHub issues. */
  issueNumber: number;
}

export interface OrgSeedPlan {
  slug: string;
  fixture: SeedOrg;
  organization: Row<typeof organizations> & { id: string };
  /** With the member's e-mail, so an existing user of that address is reused. */
  members: Array<{ row: Row<typeof organizationMembers>; email: string }>;
  installation: Row<typeof githubInstallations>;
  repositories: RepoSeedPlan[];
  /** Who corrects verdicts by hand: the organization's admin. */
  overrideActor: string;
  /** Who changes incidents' status. */
  responders: string[];
}

export interface SeedPlan {
  anchor: Date;
  seed: string;
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

export function generateSeedPlan(options: PlanOptions = {}): SeedPlan {
  const anchor = options.anchor ?? DEFAULT_ANCHOR;
  const seed = options.seed ?? DEFAULT_SEED;
  const root = createRandom(seed);
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

  const orgs = ORGS.map((org) => planOrg(root.fork(`org:${org.slug}`), org, anchor, userId));
  return { anchor, seed, users: planUsers, accounts: planAccounts, orgs };
}

/** Before ChatGPT's release (2022-11-30), so the model may label this history human. */
const EARLY_HISTORY = { from: new Date("2021-03-01T00:00:00Z"), to: new Date("2022-11-01T00:00:00Z") };
/** Older commits of each repository the model trains on: enough for its minimum of human labels. */
const EARLY_COMMITS_PER_REPO = 80;

function planOrg(
  random: Random,
  org: SeedOrg,
  anchor: Date,
  userId: (key: PersonKey) => string,
): OrgSeedPlan {
  const orgId = random.uuid();
  const createdAt = new Date(anchor.getTime() - 150 * DAY);
  const settings = orgSettingsSchema.parse(org.settings);
  const admin = org.members.find(([, role]) => role === "admin")?.[0] ?? org.members[0]?.[0];
  const plan: OrgSeedPlan = {
    slug: org.slug,
    fixture: org,
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
    overrideActor: `user:${admin ? userId(admin) : "unknown"}`,
    responders: org.members.filter(([, role]) => role !== "viewer").map(([key]) => PEOPLE[key].login),
  };

  for (const repo of org.repos) {
    const repoRandom = random.fork(`repo:${repo.name}`);
    const repoId = repoRandom.uuid();
    const fullName = `${org.githubLogin}/${repo.name}`;
    const repoSettings = repoSettingsSchema.parse(repo.settings);
    const history = generateRepoHistory(repoRandom.fork("history"), org, repo, anchor);
    const early = org.modelRepos.includes(repo.name)
      ? generateEarlyHistory(repoRandom.fork("early"), org, repo, {
          ...EARLY_HISTORY,
          commits: EARLY_COMMITS_PER_REPO,
        })
      : [];
    const lastPr = history.pullRequests[history.pullRequests.length - 1]?.number ?? repo.firstPr;
    plan.repositories.push({
      fixture: repo,
      row: {
        id: repoId,
        orgId,
        installationId: org.installationId,
        githubId: repoRandom.int(600_000_000, 990_000_000),
        fullName,
        defaultBranch: "main",
        isPrivate: repo.name !== "storefront",
        settings: repoSettings,
        lastAnalyzedSha: history.commits[history.commits.length - 1]?.input.sha ?? null,
        createdAt,
        updatedAt: createdAt,
      },
      tierRules: [...settings.tierRules, ...repoSettings.tierRules],
      history,
      early,
      events: historyEvents(history, { repoId, fullName }),
      ongoing: ONGOING[`${org.slug}/${repo.name}`] ?? null,
      issueNumber: lastPr + 1,
    });
  }
  return plan;
}

function historyEvents(history: RepoHistory, ids: { repoId: string; fullName: string }): NewCodeEvent[] {
  const { repoId, fullName } = ids;
  const events: NewCodeEvent[] = [];
  const url = `https://github.com/${fullName}`;

  for (const { input } of history.commits) {
    let additions = 0;
    let deletions = 0;
    for (const f of input.files) {
      additions += f.additions;
      deletions += f.deletions;
    }
    events.push({
      repoId,
      eventType: "commit",
      commitSha: input.sha,
      timestamp: new Date(input.committedAt),
      actor: input.authorLogin ?? null,
      sourceKey: input.sha,
      metadata: {
        message: input.message,
        author: { ...input.author, login: input.authorLogin ?? null },
        committer: { ...input.committer, login: input.committerLogin ?? null },
        parents: input.parents,
        branch: "main",
        additions,
        deletions,
        filesChanged: input.files.length,
        url: `${url}/commit/${input.sha}`,
        source: "seed",
      },
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
      repoId,
      eventType: "pr_opened",
      commitSha: null,
      timestamp: pr.openedAt,
      actor: pr.author.login,
      sourceKey: `pr:${pr.number}`,
      metadata: { ...base, body: pr.body, reopened: false },
    });
    for (const review of pr.reviews) {
      events.push({
        repoId,
        eventType: "pr_reviewed",
        commitSha: null,
        timestamp: review.at,
        actor: review.reviewer,
        sourceKey: `pr:${pr.number}:review:${review.id}`,
        metadata: {
          number: pr.number,
          reviewer: review.reviewer,
          state: review.state,
          url: `${url}/pull/${pr.number}#pullrequestreview-${review.id}`,
        },
      });
    }
    if (pr.merged) {
      events.push({
        repoId,
        eventType: "pr_merged",
        commitSha: pr.merged.sha,
        timestamp: pr.merged.at,
        actor: pr.merged.by,
        sourceKey: `pr:${pr.number}`,
        metadata: {
          ...base,
          mergeMethod: pr.merged.method,
          mergeCommitSha: pr.merged.sha,
          openedAt: pr.openedAt.toISOString(),
          commits: pr.merged.commits,
        },
      });
    }
  }

  for (const deploy of history.deploys) {
    events.push({
      repoId,
      eventType: "deploy",
      commitSha: deploy.sha,
      timestamp: deploy.at,
      actor: "github-actions[bot]",
      sourceKey: `deploy:${deploy.deploymentId}:${deploy.state}`,
      metadata: {
        environment: "production",
        state: deploy.state,
        production: true,
        deploymentId: deploy.deploymentId,
        ref: "main",
        url: `${url}/deployments/${deploy.deploymentId}`,
      },
    });
  }
  return events;
}

import type { Signal } from "../../../core/attribution/signals.ts";
import {
  AI_TOOL_WEIGHTS,
  type AiToolKey,
  BOTS,
  COMMIT_BODIES,
  DEPENDENCIES,
  PEOPLE,
  type PersonKey,
  REVIEW_FOLLOW_UPS,
  type SeedArea,
  type SeedOrg,
  type SeedRepo,
} from "./fixtures.ts";
import type { Random } from "./random.ts";
import { type AiSignature, aiSignature, type GitPerson } from "./signatures.ts";

// Ninety days of a repository's life, as plain data: pull requests opened, reviewed and merged,
// the commits they land on main, and production deploys every one to three days.

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const HISTORY_DAYS = 90;

export interface SeedFile {
  path: string;
  status: "added" | "modified";
  additions: number;
  deletions: number;
}

export interface SeedCommit {
  sha: string;
  committedAt: Date;
  /** When it reached main (the merge), which decides the deploy that shipped it. */
  landedAt: Date;
  message: string;
  author: GitPerson;
  committer: GitPerson;
  parents: string[];
  files: SeedFile[];
  /** What the trailers and authors give away; null for commits with no AI evidence. */
  evidence: { tool: AiToolKey; model: string | null; signals: Signal[] } | null;
  /** AI used without any trace: only the style model can notice it. */
  undisclosedAi: boolean;
}

export interface SeedPullRequest {
  number: number;
  title: string;
  body: string | null;
  author: GitPerson;
  authorIsBot: boolean;
  headBranch: string;
  labels: string[];
  openedAt: Date;
  reviews: Array<{
    id: number;
    reviewer: string;
    state: "approved" | "changes_requested" | "commented";
    at: Date;
  }>;
  merged: { at: Date; by: string; method: "squash" | "rebase"; sha: string; commits: number } | null;
}

export interface SeedDeploy {
  deploymentId: number;
  at: Date;
  sha: string;
  state: "success" | "failure";
  /** Commits this deploy put in production for the first time (successful deploys only). */
  shipped: SeedCommit[];
  /** Time of the next successful deploy (or the anchor), so an incident can be placed before it. */
  nextAt: Date;
}

export interface RepoHistory {
  pullRequests: SeedPullRequest[];
  commits: SeedCommit[];
  deploys: SeedDeploy[];
}

interface Context {
  random: Random;
  org: SeedOrg;
  repo: SeedRepo;
  fullName: string;
  start: number;
  anchor: number;
  migrationCounter: { n: number };
}

const personOf = (key: PersonKey): GitPerson => {
  const p = PEOPLE[key];
  return { name: p.name, email: p.email, login: p.login };
};

/** Share of changes made with an AI tool that says so: rises from ~15% to ~45% over the window. */
export const disclosedAiShare = (progress: number): number => 0.15 + 0.3 * progress;
const undisclosedAiShare = (progress: number): number => 0.05 + 0.15 * progress;

function poisson(random: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random.next();
  while (p > limit) {
    k++;
    p *= random.next();
  }
  return k;
}

const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);

function linesFor(random: Random, path: string, status: SeedFile["status"]): [number, number] {
  const fresh = status === "added";
  if (/package-lock\.json$/.test(path)) return [random.int(12, 240), random.int(8, 200)];
  if (/package\.json$/.test(path)) return [random.int(1, 4), random.int(1, 4)];
  if (/\.md$/.test(path)) return [random.int(3, 70), fresh ? 0 : random.int(0, 20)];
  if (/\.sql$/.test(path)) return [random.int(5, 45), 0];
  if (/\.(json|yml|css)$|Dockerfile|config\.ts$/.test(path)) return [random.int(1, 24), random.int(0, 10)];
  if (/test\.tsx?$/.test(path)) return [random.int(10, 150), fresh ? 0 : random.int(0, 40)];
  const big = random.chance(0.12);
  return [big ? random.int(120, 380) : random.int(4, 90), fresh ? 0 : random.int(0, big ? 120 : 40)];
}

function changedFiles(ctx: Context, area: SeedArea): SeedFile[] {
  const { random } = ctx;
  const pool = [...area.files, ...area.tests];
  const picked = random.sample(pool, random.int(2, Math.min(8, Math.max(2, pool.length))));
  const files: SeedFile[] = picked.map((path) => ({ path, status: "modified", additions: 0, deletions: 0 }));
  if (area.newFile && random.chance(0.35)) {
    ctx.migrationCounter.n++;
    const path = area.newFile.replace("{n}", String(ctx.migrationCounter.n).padStart(4, "0"));
    files.push({ path, status: "added", additions: 0, deletions: 0 });
  }
  if (files.length < 2) files.push({ path: "CHANGELOG.md", status: "modified", additions: 0, deletions: 0 });
  if (files.length < 8 && random.chance(0.12)) {
    files.push({ path: "package.json", status: "modified", additions: 0, deletions: 0 });
    if (files.length < 8)
      files.push({ path: "package-lock.json", status: "modified", additions: 0, deletions: 0 });
  }
  for (const file of files) [file.additions, file.deletions] = linesFor(random, file.path, file.status);
  return files;
}

function composeMessage(subject: string, body: string | null, signature: AiSignature | null): string {
  const parts = [`${signature?.subjectPrefix ?? ""}${subject}`];
  if (body) parts.push(body);
  if (signature?.footer) parts.push(signature.footer);
  if (signature && signature.trailers.length > 0) parts.push(signature.trailers.join("\n"));
  return parts.join("\n\n");
}

const evidenceOf = (signature: AiSignature | null): SeedCommit["evidence"] =>
  signature ? { tool: signature.tool, model: signature.model, signals: signature.signals } : null;

function authorFor(human: GitPerson, signature: AiSignature | null): GitPerson {
  if (signature?.botAuthor) return signature.botAuthor;
  if (signature?.authorName) return { ...human, name: signature.authorName };
  return human;
}

/** Conventional-commit type from the subject's first word, as people choose it. */
function commitType(scope: string, subject: string): string {
  if (scope === "docs" || scope === "ci") return scope;
  const verb = subject.split(" ")[0] ?? "";
  if (/^(fix|handle|reject|stop|return|check|respect|retry|sign|keep|round)$/.test(verb)) return "fix";
  if (/^(speed|cache|prefetch)$/.test(verb)) return "perf";
  if (/^(rename|split|type|tighten|raise|soft-delete|make|map)$/.test(verb)) return "refactor";
  return "feat";
}

/** One feature or fix pull request, with the commits it lands if it merges before the anchor. */
function featurePullRequest(ctx: Context, number: number, openedAt: number, progress: number) {
  const { random, org } = ctx;
  const authorKey = random.pick(org.engineers);
  const human = personOf(authorKey);
  const area = random.pick(ctx.repo.areas);
  const subject = random.pick(area.subjects);
  const type = commitType(area.scope, subject);
  const title = org.conventionalCommits
    ? `${type}(${area.scope}): ${subject}`
    : `${subject.charAt(0).toUpperCase()}${subject.slice(1)}`;
  const slug = slugify(subject);

  const tool = random.chance(disclosedAiShare(progress)) ? random.weighted(AI_TOOL_WEIGHTS) : null;
  const signature = tool ? aiSignature(tool, random, human, ctx.fullName, slug) : null;
  const undisclosedAi = !signature && random.chance(undisclosedAiShare(progress));
  const prAuthor = signature?.botAuthor ?? human;

  const reviewers = org.engineers.filter((k) => k !== authorKey).map((k) => PEOPLE[k].login);
  const mergedAt = openedAt + random.float(0.5, 30) * HOUR;
  const reviews: SeedPullRequest["reviews"] = [];
  const firstReviewer = random.pick(reviewers);
  if (random.chance(0.25)) {
    reviews.push({
      id: random.int(2_000_000_000, 3_000_000_000),
      reviewer: firstReviewer,
      state: random.chance(0.6) ? "changes_requested" : "commented",
      at: new Date(openedAt + (mergedAt - openedAt) * random.float(0.15, 0.45)),
    });
  }
  reviews.push({
    id: random.int(2_000_000_000, 3_000_000_000),
    reviewer: random.chance(0.7) ? firstReviewer : random.pick(reviewers),
    state: "approved",
    at: new Date(openedAt + (mergedAt - openedAt) * random.float(0.55, 0.95)),
  });

  const method = random.chance(0.6) ? "squash" : "rebase";
  const prCommits = signature?.botAuthor ? random.int(1, 4) : random.int(1, 3);
  const body = random.chance(0.45) ? random.pick(COMMIT_BODIES) : null;
  const commits: SeedCommit[] = [];
  const committer: GitPerson = { ...BOTS.github };
  if (method === "squash") {
    const bullets = prCommits > 1 ? random.sample(REVIEW_FOLLOW_UPS, prCommits - 1).map((s) => `* ${s}`) : [];
    const squashBody = [body, ...bullets].filter((s) => s !== null).join("\n\n") || null;
    commits.push(
      draftCommit(ctx, area, {
        message: composeMessage(`${title} (#${number})`, squashBody, signature),
        author: authorFor(human, signature),
        committer,
        committedAt: mergedAt,
        evidence: evidenceOf(signature),
        undisclosedAi,
      }),
    );
  } else {
    for (let i = 0; i < prCommits; i++) {
      // A person's follow-up commits on an AI-started branch often carry no trailer at all.
      const keeps = i === 0 || signature?.botAuthor !== null || random.chance(0.5);
      const sig = signature && keeps ? signature : null;
      const subject = i === 0 ? title : random.pick(REVIEW_FOLLOW_UPS);
      commits.push(
        draftCommit(ctx, area, {
          message: composeMessage(subject, i === 0 ? body : null, sig),
          author: authorFor(human, sig),
          committer,
          committedAt: openedAt - 2 * HOUR + ((mergedAt - openedAt + 2 * HOUR) * (i + 0.5)) / (prCommits + 1),
          evidence: evidenceOf(sig),
          undisclosedAi,
        }),
      );
    }
  }
  for (const commit of commits) commit.landedAt = new Date(mergedAt);

  const prBody = signature?.footer
    ? `## Summary\n- ${subject}\n\n${signature.footer}`
    : signature?.tool === "copilot-agent"
      ? `Fixes #${number - random.int(1, 40)}.\n\n${subject}`
      : body;
  const pr: SeedPullRequest = {
    number,
    title,
    body: prBody,
    author: prAuthor,
    authorIsBot: signature?.botAuthor !== null && signature?.botAuthor !== undefined,
    headBranch: signature?.branch ?? `${human.login}/${slug}`,
    labels: type === "fix" ? ["bug"] : type === "feat" ? ["enhancement"] : [],
    openedAt: new Date(openedAt),
    reviews,
    merged: {
      at: new Date(mergedAt),
      by: random.pick(reviewers),
      method,
      sha: "",
      commits: prCommits,
    },
  };
  return { pr, commits };
}

/** A weekly dependency bump from Dependabot or Renovate: automation, not AI. */
function dependencyPullRequest(ctx: Context, number: number, openedAt: number) {
  const { random, org } = ctx;
  const [name, repoPath, prefix] = random.pick(DEPENDENCIES);
  const from = `${prefix}${random.int(0, 8)}`;
  const to = `${prefix}${random.int(9, 14)}`;
  const dependabot = org.dependencyBot === "dependabot";
  const bot: GitPerson = { ...(dependabot ? BOTS.dependabot : BOTS.renovate) };
  const title = dependabot
    ? `Bump ${name} from ${from} to ${to}`
    : `chore(deps): update dependency ${name} to v${to}`;
  const body = dependabot
    ? [
        `Bumps [${name}](https://github.com/${repoPath}) from ${from} to ${to}.`,
        `- [Release notes](https://github.com/${repoPath}/releases)\n- [Commits](https://github.com/${repoPath}/compare/v${from}...v${to})`,
        `---\nupdated-dependencies:\n- dependency-name: ${name}\n  dependency-version: ${to}\n  dependency-type: direct:production\n  update-type: version-update:semver-patch\n...`,
        "Signed-off-by: dependabot[bot] <support@github.com>",
      ].join("\n\n")
    : `This PR contains the following updates:\n\n| Package | Change |\n|---|---|\n| ${name} | \`${from}\` -> \`${to}\` |`;
  const mergedAt = openedAt + random.float(2, 48) * HOUR;
  const approver = PEOPLE[random.pick(org.engineers)].login;
  const files: SeedFile[] = ["package.json", "package-lock.json"].map((path) => {
    const [additions, deletions] = linesFor(random, path, "modified");
    return { path, status: "modified", additions, deletions };
  });
  const commit: SeedCommit = {
    sha: random.hex(40),
    committedAt: new Date(mergedAt),
    landedAt: new Date(mergedAt),
    message: `${title} (#${number})\n\n${body}`,
    author: bot,
    committer: { ...BOTS.github },
    parents: [],
    files,
    evidence: null,
    undisclosedAi: false,
  };
  const pr: SeedPullRequest = {
    number,
    title,
    body,
    author: bot,
    authorIsBot: true,
    headBranch: dependabot
      ? `dependabot/npm_and_yarn/${name}-${to}`
      : `renovate/${slugify(name)}-${prefix.split(".")[0]}.x`,
    labels: ["dependencies"],
    openedAt: new Date(openedAt),
    reviews: [
      {
        id: random.int(2_000_000_000, 3_000_000_000),
        reviewer: approver,
        state: "approved",
        at: new Date(openedAt + (mergedAt - openedAt) * 0.8),
      },
    ],
    merged: { at: new Date(mergedAt), by: approver, method: "squash", sha: "", commits: 1 },
  };
  return { pr, commits: [commit] };
}

function draftCommit(
  ctx: Context,
  area: SeedArea,
  fields: Pick<SeedCommit, "message" | "author" | "committer" | "evidence" | "undisclosedAi"> & {
    committedAt: number;
  },
): SeedCommit {
  const committedAt = new Date(fields.committedAt);
  return {
    ...fields,
    sha: ctx.random.hex(40),
    committedAt,
    landedAt: committedAt,
    parents: [],
    files: changedFiles(ctx, area),
  };
}

/** Pull requests and commits for every day of the window, then deploys over what landed. */
export function generateRepoHistory(random: Random, org: SeedOrg, repo: SeedRepo, anchor: Date): RepoHistory {
  const end = anchor.getTime();
  const ctx: Context = {
    random,
    org,
    repo,
    fullName: `${org.githubLogin}/${repo.name}`,
    start: end - HISTORY_DAYS * DAY,
    anchor: end,
    migrationCounter: { n: random.int(12, 60) },
  };
  const pullRequests: SeedPullRequest[] = [];
  let commits: SeedCommit[] = [];
  let number = repo.firstPr;

  for (let day = 0; day < HISTORY_DAYS; day++) {
    const dayStart = ctx.start + day * DAY;
    const weekday = new Date(dayStart).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const progress = day / (HISTORY_DAYS - 1);
    const count = poisson(random, weekend ? org.prsPerWeekday * 0.15 : org.prsPerWeekday);
    const drafts: Array<ReturnType<typeof featurePullRequest>> = [];
    for (let i = 0; i < count; i++) {
      const openedAt = dayStart + random.float(7, 18) * HOUR;
      drafts.push(featurePullRequest(ctx, number++, openedAt, progress));
    }
    if (weekday === 1 && random.chance(0.8)) {
      drafts.push(dependencyPullRequest(ctx, number++, dayStart + random.float(4, 6) * HOUR));
    }
    for (const { pr, commits: landed } of drafts) {
      if (pr.openedAt.getTime() >= end) continue;
      // Not merged yet at the anchor: the PR stays open and its commits are not on main.
      if (!pr.merged || pr.merged.at.getTime() >= end) {
        pr.merged = null;
        pr.reviews = pr.reviews.filter((r) => r.at.getTime() < end);
      } else {
        const last = landed[landed.length - 1];
        if (last) pr.merged.sha = last.sha;
        commits.push(...landed);
      }
      pullRequests.push(pr);
    }
  }

  // Main's history in landing order; each commit's parent is the one before it.
  commits = commits.sort(
    (a, b) =>
      a.landedAt.getTime() - b.landedAt.getTime() || a.committedAt.getTime() - b.committedAt.getTime(),
  );
  let parent = random.hex(40);
  for (const commit of commits) {
    commit.parents = [parent];
    parent = commit.sha;
  }
  return { pullRequests, commits, deploys: generateDeploys(ctx, commits) };
}

function generateDeploys(ctx: Context, commits: SeedCommit[]): SeedDeploy[] {
  const { random } = ctx;
  const deploys: SeedDeploy[] = [];
  let deploymentId = random.int(900_000_000, 1_400_000_000);
  let at = ctx.start + random.float(1, 2) * DAY;
  let shippedUpTo = 0;
  while (at < ctx.anchor) {
    let upTo = shippedUpTo;
    while (upTo < commits.length && (commits[upTo]?.landedAt.getTime() ?? Number.POSITIVE_INFINITY) <= at)
      upTo++;
    const head = commits[upTo - 1];
    if (head && upTo > shippedUpTo) {
      const shipped = commits.slice(shippedUpTo, upTo);
      if (random.chance(0.08)) {
        deploys.push({
          deploymentId: deploymentId++,
          at: new Date(at),
          sha: head.sha,
          state: "failure",
          shipped: [],
          nextAt: new Date(at),
        });
        at += random.float(0.3, 0.9) * HOUR;
      }
      if (at < ctx.anchor) {
        deploys.push({
          deploymentId: deploymentId++,
          at: new Date(at),
          sha: head.sha,
          state: "success",
          shipped,
          nextAt: new Date(ctx.anchor),
        });
        shippedUpTo = upTo;
      }
    }
    at += random.float(1, 3) * DAY;
  }
  const successes = deploys.filter((d) => d.state === "success");
  successes.forEach((deploy, i) => {
    const next = successes[i + 1];
    if (next) deploy.nextAt = next.at;
  });
  return deploys;
}

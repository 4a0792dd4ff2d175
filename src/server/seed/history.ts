import type { CommitInput, FileChange, PullRequestContext } from "../../core/attribution/types.ts";
import { generatePatch } from "./code.ts";
import {
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
import { type AiSignature, aiSignature, COPILOT_TRAILER, type GitPerson } from "./signatures.ts";

// A repository's life as git and GitHub record it: pull requests opened, reviewed and merged, the
// commits they land on main (squashed or rebased, with whatever trailers survive), and production
// deploys every one to three days. Nothing here says how much of it is AI: the engine decides that
// from the text, as it would from a real repository.

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const HISTORY_DAYS = 90;

export interface SeedCommit {
  input: CommitInput;
  /** When it reached main (the merge), which decides the deploy that shipped it. */
  landedAt: Date;
  /**
   * The PR context the App builds for a commit a PR was merged as (its `pr_merged` event names it);
   * null for every other commit, as in production.
   */
  pullRequest: PullRequestContext | null;
  /** What really happened, known only to the people involved: used for their overrides, never by the engine. */
  truth: { ai: boolean; strayTrailer: boolean };
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
const disclosedAiShare = (progress: number): number => 0.15 + 0.3 * progress;
const undisclosedAiShare = (progress: number): number => 0.05 + 0.12 * progress;
/** Chance that a person's change carries the Copilot trailer their editor added by itself. */
const STRAY_TRAILER = 0.02;

/** Chance that a block of code comes out wordy: assistants mostly, a few people too. */
function wordiness(key: PersonKey | null, ai: boolean): number {
  if (ai) return 0.8;
  return key !== null && "wordy" in PEOPLE[key] ? 0.35 : 0.08;
}

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

/** About how many lines a change adds to a file of this kind. */
function linesFor(random: Random, path: string): number {
  if (/package-lock\.json$/.test(path)) return random.int(6, 36);
  if (/package\.json$/.test(path)) return random.int(1, 3);
  if (/\.md$/.test(path)) return random.int(2, 16);
  if (/\.sql$/.test(path)) return random.int(1, 12);
  if (/\.(json|yml|css)$|Dockerfile|config\.ts$/.test(path)) return random.int(1, 10);
  if (/test\.tsx?$/.test(path)) return random.int(4, 28);
  return random.chance(0.06) ? random.int(40, 100) : random.int(3, 26);
}

function fileChange(random: Random, path: string, status: FileChange["status"], aiStyle: number): FileChange {
  const lines = Math.max(1, Math.round(linesFor(random, path) * (aiStyle >= 0.5 ? 1.3 : 1)));
  const { patch, additions, deletions } = generatePatch(random, {
    path,
    status: status === "added" ? "added" : "modified",
    lines,
    aiStyle,
  });
  return { path, status, additions, deletions, patch };
}

function changedFiles(ctx: Context, area: SeedArea, aiStyle: number): FileChange[] {
  const { random } = ctx;
  const pool = [...area.files, ...area.tests];
  const picked = random.sample(pool, random.int(1, Math.min(6, Math.max(1, pool.length))));
  const paths: Array<[string, FileChange["status"]]> = picked.map((path) => [path, "modified"]);
  if (area.newFile && random.chance(0.35)) {
    ctx.migrationCounter.n++;
    paths.push([area.newFile.replace("{n}", String(ctx.migrationCounter.n).padStart(4, "0")), "added"]);
  }
  if (paths.length < 2 && random.chance(0.5)) paths.push(["CHANGELOG.md", "modified"]);
  if (paths.length < 7 && random.chance(0.1)) {
    paths.push(["package.json", "modified"], ["package-lock.json", "modified"]);
  }
  // A path appears once per commit, as in git.
  const unique = new Map(paths);
  return [...unique].map(([path, status]) => fileChange(random, path, status, aiStyle));
}

function composeMessage(
  subject: string,
  body: string | null,
  footer: string | null,
  trailers: string[],
): string {
  const parts = [subject];
  if (body) parts.push(body);
  if (footer) parts.push(footer);
  if (trailers.length > 0) parts.push(trailers.join("\n"));
  return parts.join("\n\n");
}

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

interface DraftCommit {
  message: string;
  author: GitPerson;
  committer: GitPerson;
  at: number;
  files: FileChange[];
}

function commitInput(random: Random, draft: DraftCommit, branch: string | null): CommitInput {
  return {
    sha: random.hex(40),
    message: draft.message,
    author: { name: draft.author.name, email: draft.author.email },
    committer: { name: draft.committer.name, email: draft.committer.email },
    authorLogin: draft.author.login,
    committerLogin: draft.committer.login,
    parents: [],
    branch,
    committedAt: new Date(draft.at).toISOString(),
    files: draft.files,
  };
}

/** One path per file: a squash merge's diff is the sum of its commits'. */
function squashFiles(commits: readonly CommitInput[]): FileChange[] {
  const byPath = new Map<string, FileChange>();
  for (const commit of commits) {
    for (const file of commit.files) {
      const prev = byPath.get(file.path);
      byPath.set(
        file.path,
        prev
          ? {
              ...prev,
              additions: prev.additions + file.additions,
              deletions: prev.deletions + file.deletions,
              patch: `${prev.patch ?? ""}\n${file.patch ?? ""}`,
            }
          : file,
      );
    }
  }
  return [...byPath.values()];
}

const CO_AUTHOR = /^co-authored-by:/i;

/** One feature or fix pull request, with the commits it lands if it merges before the anchor. */
function featurePullRequest(ctx: Context, number: number, openedAt: number, progress: number) {
  const { random, org, repo } = ctx;
  const authorKey = random.pick(org.engineers);
  const human = personOf(authorKey);
  const area = random.pick(repo.areas);
  const subject = random.pick(area.subjects);
  const type = commitType(area.scope, subject);
  const title = org.conventionalCommits
    ? `${type}(${area.scope}): ${subject}`
    : `${subject.charAt(0).toUpperCase()}${subject.slice(1)}`;
  const slug = slugify(subject);

  const share = Math.min(0.9, disclosedAiShare(progress) * repo.aiAffinity);
  const tool = random.chance(share) ? random.weighted(org.aiTools) : null;
  const signature = tool ? aiSignature(tool, random, human, ctx.fullName, slug) : null;
  const undisclosed = !signature && random.chance(undisclosedAiShare(progress) * repo.aiAffinity);
  const stray = !signature && !undisclosed && random.chance(STRAY_TRAILER);
  const prAuthor = signature?.botAuthor ?? human;
  const headBranch = signature?.branch ?? `${human.login}/${slug}`;

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

  // The PR's own commits, on its branch.
  const count = random.int(1, 3);
  const body = random.chance(0.45) ? random.pick(COMMIT_BODIES) : null;
  const branchCommits: CommitInput[] = [];
  /** Whether an assistant wrote each of them. */
  const written: boolean[] = [];
  const span = mergedAt - openedAt + 2 * HOUR;
  if (signature?.initialPlan) {
    const bot = authorFor(human, signature);
    branchCommits.push(
      commitInput(
        random,
        { message: "Initial plan", author: bot, committer: bot, at: openedAt - 2 * HOUR, files: [] },
        headBranch,
      ),
    );
    written.push(true);
  }
  for (let i = 0; i < count; i++) {
    // A person's follow-up commits on an AI-started branch often carry no trailer at all.
    const sig =
      signature && (i === 0 || signature.botAuthor !== null || random.chance(0.5)) ? signature : null;
    const author = authorFor(human, sig);
    const trailers = sig ? sig.trailers : stray ? [COPILOT_TRAILER] : [];
    const commitSubject = i === 0 ? `${sig?.subjectPrefix ?? ""}${title}` : random.pick(REVIEW_FOLLOW_UPS);
    written.push(sig !== null || undisclosed);
    const aiStyle = wordiness(authorKey, sig !== null || undisclosed);
    branchCommits.push(
      commitInput(
        random,
        {
          message: composeMessage(commitSubject, i === 0 ? body : null, sig?.footer ?? null, trailers),
          author,
          committer: author,
          at: openedAt - 2 * HOUR + (span * (i + 0.5)) / (count + 1),
          files: changedFiles(ctx, area, aiStyle),
        },
        headBranch,
      ),
    );
  }

  const method = signature?.botAuthor || random.chance(0.6) ? "squash" : "rebase";
  const web = { ...BOTS.github };
  const landed: SeedCommit[] = [];
  if (method === "squash") {
    const withFiles = branchCommits.filter((c) => c.files.length > 0);
    const single = withFiles.length === 1 && withFiles[0] !== undefined;
    // GitHub's squash message: one commit's message as it was, or the title and the commits'
    // subjects, with their co-authors kept as trailers unless the person merging trims them.
    const coAuthors = random.chance(0.65)
      ? [...new Set(branchCommits.flatMap((c) => c.message.split("\n").filter((l) => CO_AUTHOR.test(l))))]
      : [];
    const message =
      single && random.chance(0.5)
        ? `${withFiles[0]?.message.replace(/\n|$/, ` (#${number})\n`).trimEnd()}`
        : composeMessage(
            `${title} (#${number})`,
            withFiles.length > 1 ? withFiles.map((c) => `* ${c.message.split("\n")[0]}`).join("\n") : body,
            null,
            coAuthors,
          );
    landed.push({
      input: commitInput(
        random,
        { message, author: prAuthor, committer: web, at: mergedAt, files: squashFiles(withFiles) },
        "main",
      ),
      landedAt: new Date(mergedAt),
      pullRequest: null,
      truth: { ai: written.some(Boolean), strayTrailer: stray },
    });
  } else {
    for (const [i, c] of branchCommits.entries()) {
      if (c.files.length === 0) continue;
      landed.push({
        input: {
          ...c,
          sha: random.hex(40),
          committer: { name: web.name, email: web.email },
          committerLogin: web.login,
          branch: "main",
        },
        landedAt: new Date(mergedAt),
        pullRequest: null,
        truth: { ai: written[i] === true, strayTrailer: stray },
      });
    }
  }

  const prBody = signature?.footer
    ? `## Summary\n- ${subject}\n\n${signature.footer}`
    : signature?.tool === "copilot-agent"
      ? `Fixes #${number - random.int(1, 40)}.\n\n${subject}`
      : body;
  const labels = type === "fix" ? ["bug"] : type === "feat" ? ["enhancement"] : [];
  if (signature && org.slug === "acme" && random.chance(0.3)) labels.push("ai-assisted");
  const pr: SeedPullRequest = {
    number,
    title,
    body: prBody,
    author: prAuthor,
    authorIsBot: signature?.botAuthor != null,
    headBranch,
    labels,
    openedAt: new Date(openedAt),
    reviews,
    merged: {
      at: new Date(mergedAt),
      by: random.pick(reviewers),
      method,
      sha: landed[landed.length - 1]?.input.sha ?? "",
      commits: branchCommits.length,
    },
  };
  const last = landed[landed.length - 1];
  if (last) last.pullRequest = pullRequestContext(pr, method, branchCommits);
  return { pr, commits: landed };
}

function pullRequestContext(
  pr: SeedPullRequest,
  method: "squash" | "rebase",
  commits: readonly CommitInput[],
): PullRequestContext {
  return {
    number: pr.number,
    title: pr.title,
    body: pr.body,
    labels: pr.labels,
    headBranch: pr.headBranch,
    authorLogin: pr.author.login,
    mergeMethod: method,
    commits: commits.map(({ sha, message, author, committer, authorLogin, committerLogin }) => ({
      sha,
      message,
      author,
      committer,
      authorLogin: authorLogin ?? null,
      committerLogin: committerLogin ?? null,
    })),
  };
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
  const headBranch = dependabot
    ? `dependabot/npm_and_yarn/${name}-${to}`
    : `renovate/${slugify(name)}-${prefix.split(".")[0]}.x`;
  const files = ["package.json", "package-lock.json"].map((path) => fileChange(random, path, "modified", 0));
  const own = commitInput(
    random,
    { message: `${title}\n\n${body}`, author: bot, committer: bot, at: openedAt, files },
    headBranch,
  );
  const landed = commitInput(
    random,
    {
      message: `${title} (#${number})\n\n${body}`,
      author: bot,
      committer: { ...BOTS.github },
      at: mergedAt,
      files,
    },
    "main",
  );
  const pr: SeedPullRequest = {
    number,
    title,
    body,
    author: bot,
    authorIsBot: true,
    headBranch,
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
    merged: { at: new Date(mergedAt), by: approver, method: "squash", sha: landed.sha, commits: 1 },
  };
  const commit: SeedCommit = {
    input: landed,
    landedAt: new Date(mergedAt),
    pullRequest: pullRequestContext(pr, "squash", [own]),
    truth: { ai: false, strayTrailer: false },
  };
  return { pr, commits: [commit] };
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
    const mean = org.prsPerWeekday * repo.activity;
    const count = poisson(random, weekend ? mean * 0.15 : mean);
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
        commits.push(...landed);
      }
      pullRequests.push(pr);
    }
  }

  // Main's history in landing order; each commit's parent is the one before it.
  commits = commits.sort(
    (a, b) =>
      a.landedAt.getTime() - b.landedAt.getTime() ||
      Date.parse(a.input.committedAt) - Date.parse(b.input.committedAt),
  );
  let parent = random.hex(40);
  for (const commit of commits) {
    commit.input.parents = [parent];
    parent = commit.input.sha;
  }
  return { pullRequests, commits, deploys: generateDeploys(ctx, commits) };
}

/**
 * The repository's older history, from before AI assistants were common: commits pushed straight
 * to main by the people who work on it. Never stored (the dashboard shows the recent window); the
 * model trains on it as it would on a clone's full history.
 */
export function generateEarlyHistory(
  random: Random,
  org: SeedOrg,
  repo: SeedRepo,
  window: { from: Date; to: Date; commits: number },
): CommitInput[] {
  const ctx: Context = {
    random,
    org,
    repo,
    fullName: `${org.githubLogin}/${repo.name}`,
    start: window.from.getTime(),
    anchor: window.to.getTime(),
    migrationCounter: { n: 0 },
  };
  const source = repo.areas.filter((a) => a.scope !== "docs" && a.scope !== "ci" && a.scope !== "style");
  const out: CommitInput[] = [];
  const step = (ctx.anchor - ctx.start) / window.commits;
  for (let i = 0; i < window.commits; i++) {
    const key = random.pick(org.engineers);
    const person = personOf(key);
    const area = random.pick(source);
    const subject = random.pick(area.subjects);
    const files = changedFiles(ctx, { ...area, newFile: undefined }, wordiness(key, false));
    out.push(
      commitInput(
        random,
        {
          message: subject,
          author: person,
          committer: person,
          at: ctx.start + step * (i + random.next()),
          files,
        },
        "main",
      ),
    );
  }
  return out;
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
          sha: head.input.sha,
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
          sha: head.input.sha,
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

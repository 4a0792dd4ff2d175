import { z } from "zod";
import type { EventMetadata } from "../../core/events.ts";
import type { NewCodeEvent } from "../services/github/code-events.ts";
import type { PullRequestPayload, PushEvent } from "./payloads.ts";

// Pure mapping from GitHub's payload shapes to code_events rows. Texts are cut to the limits the
// metadata schemas enforce, so a long commit message is shortened rather than rejected.

const cut = (value: string | null | undefined, max: number): string | null =>
  value === null || value === undefined ? null : value.slice(0, max);

const urlSchema = z.url();
export const urlOrNull = (value: string | null | undefined): string | null =>
  value && urlSchema.safeParse(value).success ? value : null;

export function parseTime(value: string | null | undefined, what: string): Date {
  const date = value ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new MalformedPayloadError(`${what}: not a timestamp`);
  return date;
}

/** A handled event whose payload lacks what we need; the delivery is kept as `failed`. */
export class MalformedPayloadError extends Error {
  override name = "MalformedPayloadError";
}

export const isBot = (user: { login: string; type?: string | undefined } | null | undefined): boolean =>
  !!user && (user.type === "Bot" || user.login.endsWith("[bot]"));

type PushCommit = PushEvent["commits"][number];

export function commitEvent(
  repoId: string,
  branch: string | null,
  c: PushCommit,
  source: "push" | "backfill",
): NewCodeEvent {
  const files = new Set([...c.added, ...c.removed, ...c.modified]);
  const metadata: EventMetadata["commit"] = {
    message: c.message.slice(0, 100_000),
    author: person(c.author),
    committer: person(c.committer),
    parents: [],
    branch: cut(branch, 255),
    additions: null,
    deletions: null,
    filesChanged: files.size,
    url: urlOrNull(c.url),
    source,
  };
  return {
    repoId,
    eventType: "commit",
    commitSha: c.id,
    timestamp: parseTime(c.timestamp, "commit timestamp"),
    actor: cut(c.author.username ?? c.author.name, 100),
    sourceKey: c.id,
    metadata,
  };
}

export function person(p: {
  name?: string | null;
  email?: string | null;
  username?: string | null;
  login?: string | null;
}) {
  return {
    name: cut(p.name, 500),
    email: cut(p.email, 500),
    login: cut(p.username ?? p.login, 100),
  };
}

function prBase(pr: PullRequestPayload) {
  return {
    number: pr.number,
    title: pr.title.slice(0, 1000),
    author: cut(pr.user?.login, 100),
    authorIsBot: isBot(pr.user),
    headBranch: cut(pr.head.ref, 255),
    baseBranch: cut(pr.base.ref, 255),
    labels: pr.labels.slice(0, 100).map((l) => l.name.slice(0, 100)),
    url: urlOrNull(pr.html_url),
  };
}

export function prOpenedEvent(repoId: string, pr: PullRequestPayload, reopened: boolean): NewCodeEvent {
  const at = reopened ? (pr.updated_at ?? pr.created_at) : pr.created_at;
  return {
    repoId,
    eventType: "pr_opened",
    commitSha: null,
    timestamp: parseTime(at, "pull_request.created_at"),
    actor: cut(pr.user?.login, 100),
    sourceKey: `pr:${pr.number}`,
    metadata: { ...prBase(pr), body: cut(pr.body, 65_536), reopened },
  };
}

export function prMergedEvent(
  repoId: string,
  pr: PullRequestPayload,
  mergeMethod: EventMetadata["pr_merged"]["mergeMethod"] = "unknown",
): NewCodeEvent {
  const mergeSha =
    pr.merge_commit_sha && /^[0-9a-f]{40}$/.test(pr.merge_commit_sha) ? pr.merge_commit_sha : null;
  return {
    repoId,
    eventType: "pr_merged",
    commitSha: mergeSha,
    timestamp: parseTime(pr.merged_at, "pull_request.merged_at"),
    actor: cut(pr.user?.login, 100),
    sourceKey: `pr:${pr.number}`,
    metadata: {
      ...prBase(pr),
      mergeMethod,
      mergeCommitSha: mergeSha,
      openedAt: parseTime(pr.created_at, "pull_request.created_at").toISOString(),
      commits: pr.commits ?? null,
    },
  };
}

const REVIEW_STATES = ["approved", "changes_requested", "commented", "dismissed"] as const;

export function prReviewedEvent(
  repoId: string,
  prNumber: number,
  review: {
    id: number;
    user: { login: string } | null;
    state: string;
    submitted_at?: string | null;
    html_url?: string | null;
  },
): NewCodeEvent | null {
  const state = REVIEW_STATES.find((s) => s === review.state.toLowerCase());
  if (!state) return null;
  return {
    repoId,
    eventType: "pr_reviewed",
    commitSha: null,
    timestamp: parseTime(review.submitted_at, "review.submitted_at"),
    actor: cut(review.user?.login, 100),
    sourceKey: `review:${review.id}`,
    metadata: {
      number: prNumber,
      reviewer: cut(review.user?.login, 100),
      state,
      url: urlOrNull(review.html_url),
    },
  };
}

const DEPLOY_STATES = [
  "success",
  "failure",
  "error",
  "pending",
  "in_progress",
  "queued",
  "inactive",
] as const;

export interface DeployInput {
  deploymentId: number;
  statusId: number | null;
  sha: string;
  ref: string | null;
  environment: string;
  state: string;
  at: string;
  url: string | null;
  actor: string | null;
  /** GitHub's own flag, when the deployment carries one. */
  productionFlag: boolean | undefined;
}

/** A deploy event; `production` when the environment is one the organization calls production. */
export function deployEvent(
  repoId: string,
  d: DeployInput,
  productionEnvironments: readonly string[],
): NewCodeEvent | null {
  const state = DEPLOY_STATES.find((s) => s === d.state.toLowerCase());
  if (!state) return null;
  const env = d.environment.toLowerCase();
  const production = d.productionFlag === true || productionEnvironments.some((p) => p.toLowerCase() === env);
  return {
    repoId,
    eventType: "deploy",
    commitSha: /^[0-9a-f]{40}$/.test(d.sha) ? d.sha : null,
    timestamp: parseTime(d.at, "deployment_status.created_at"),
    actor: cut(d.actor, 100),
    sourceKey: `deploy:${d.deploymentId}:${state}`,
    metadata: {
      environment: d.environment.slice(0, 255),
      state,
      production,
      deploymentId: d.deploymentId,
      ref: cut(d.ref, 255),
      url: urlOrNull(d.url),
    },
  };
}

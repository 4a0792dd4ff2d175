import type { ZodType, z } from "zod";
import type { NewCodeEvent } from "../services/github/code-events.ts";
import {
  commitEvent,
  deployEvent,
  MalformedPayloadError,
  prMergedEvent,
  prOpenedEvent,
  prReviewedEvent,
} from "./event-mapping.ts";
import {
  deploymentStatusEventSchema,
  pullRequestEventSchema,
  pullRequestReviewEventSchema,
  pushEventSchema,
  type RepositoryPayload,
} from "./payloads.ts";

// What a repository event (push, pull request, review, deploy) asks of the database, decided from
// the payload alone. The one-delivery path and the group-commit path both carry out these plans,
// so they store the same rows.

/** GitHub's cap on commits listed in one push payload; a push that reaches it may have more. */
export const PUSH_COMMIT_LIMIT = 2048;

/** Events planned here; the rest need the database to decide (installations, repositories, issues). */
export const REPOSITORY_EVENTS = new Set([
  "push",
  "pull_request",
  "pull_request_review",
  "deployment_status",
]);

export interface PushTarget {
  branch: string;
  /** The repository's default branch as the payload states it, to keep ours current. */
  defaultBranch: string | null;
  /** Set when the payload may have been cut at GitHub's limit: the rest comes from compare. */
  completion: { base: string; head: string } | null;
}

/** A pull request whose head commit gets Sentinel's check run (docs/checks.md). */
export interface PullRequestCheckTarget {
  number: number;
  headSha: string;
  baseRef: string;
  /** A review changed: judge the head again even if its check is complete. */
  reevaluate: boolean;
}

const SHA = /^[0-9a-f]{40}$/;

/** The check a PR event asks for, when the payload names its head commit and base branch. */
function checkTarget(
  pr: { number: number; head?: { sha?: string | null } | null; base?: { ref?: string | null } | null },
  reevaluate: boolean,
): PullRequestCheckTarget | null {
  const headSha = pr.head?.sha;
  const baseRef = pr.base?.ref;
  if (!headSha || !SHA.test(headSha) || !baseRef) return null;
  return { number: pr.number, headSha, baseRef, reevaluate };
}

export type RepositoryEventPlan =
  /** Known and kept (tag pushes, closed PRs) or not ours to analyse; no repository needed. */
  | { kind: "done"; outcome: "recorded" | "ignored" }
  | {
      kind: "events";
      repository: RepositoryPayload;
      /** Only for pushes: events are kept only when the repository tracks the branch. */
      push: PushTarget | null;
      /** Pull request events: the check run to create or judge again, once the repository is known tracked. */
      check?: PullRequestCheckTarget | null;
      needsEnvironments: boolean;
      /**
       * The events, with an empty repoId to fill in; null when the payload carries nothing to
       * record (a review state we don't count, a deploy state GitHub added later).
       */
      events(productionEnvironments: readonly string[]): NewCodeEvent[] | null;
    };

/** A handled event's payload checked against its schema; MalformedPayloadError names the field. */
export function parseEvent<S extends ZodType>(schema: S, payload: unknown, event: string): z.infer<S> {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MalformedPayloadError(
      `${event}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`,
    );
  }
  return result.data;
}

const done = (outcome: "recorded" | "ignored"): RepositoryEventPlan => ({ kind: "done", outcome });

/**
 * Plans one of REPOSITORY_EVENTS. Throws MalformedPayloadError when a field we rely on is missing
 * or wrong; mapping errors (a bad timestamp) surface when `events` is called.
 */
export function planRepositoryEvent(
  event: string,
  action: string | null,
  payload: Record<string, unknown>,
): RepositoryEventPlan {
  switch (event) {
    case "push": {
      const p = parseEvent(pushEventSchema, payload, event);
      // Tags and branch deletions are kept in the delivery log, not analysed.
      if (p.deleted || !p.ref.startsWith("refs/heads/")) return done("recorded");
      const branch = p.ref.slice("refs/heads/".length);
      const maybeCut =
        p.commits.length >= PUSH_COMMIT_LIMIT && /^[0-9a-f]{40}$/.test(p.after) && !/^0+$/.test(p.before);
      return {
        kind: "events",
        repository: p.repository,
        push: {
          branch,
          defaultBranch: p.repository.default_branch ?? null,
          completion: maybeCut ? { base: p.before, head: p.after } : null,
        },
        needsEnvironments: false,
        events: () => p.commits.map((c) => commitEvent("", branch, c, "push")),
      };
    }
    case "pull_request": {
      const p = parseEvent(pullRequestEventSchema, payload, event);
      const pr = p.pull_request;
      if (action === "closed" && !pr.merged) return done("recorded");
      // New commits on the PR: no event to record, but its new head gets a check.
      const check = action === "closed" ? null : checkTarget(pr, false);
      if (action === "synchronize") {
        if (!check) return done("ignored");
        return {
          kind: "events",
          repository: p.repository,
          push: null,
          check,
          needsEnvironments: false,
          events: () => [],
        };
      }
      if (action !== "opened" && action !== "reopened" && action !== "closed") return done("ignored");
      return {
        kind: "events",
        repository: p.repository,
        push: null,
        check,
        needsEnvironments: false,
        events: () => [
          action === "closed" ? prMergedEvent("", pr) : prOpenedEvent("", pr, action === "reopened"),
        ],
      };
    }
    case "pull_request_review": {
      const p = parseEvent(pullRequestReviewEventSchema, payload, event);
      if (action !== "submitted" && action !== "dismissed") return done("ignored");
      // An approval or a dismissed one can meet or unmeet a CODEOWNER-review policy.
      const check = checkTarget(p.pull_request, true);
      const mapped = action === "submitted" ? prReviewedEvent("", p.pull_request.number, p.review) : null;
      if (!mapped && !check) return done("recorded");
      return {
        kind: "events",
        repository: p.repository,
        push: null,
        check,
        needsEnvironments: false,
        events: () => (mapped ? [mapped] : []),
      };
    }
    case "deployment_status": {
      const p = parseEvent(deploymentStatusEventSchema, payload, event);
      return {
        kind: "events",
        repository: p.repository,
        push: null,
        needsEnvironments: true,
        events: (environments) => {
          const mapped = deployEvent(
            "",
            {
              deploymentId: p.deployment.id,
              statusId: p.deployment_status.id,
              sha: p.deployment.sha,
              ref: p.deployment.ref ?? null,
              environment: p.deployment_status.environment ?? p.deployment.environment,
              state: p.deployment_status.state,
              at: p.deployment_status.created_at,
              url: p.deployment_status.environment_url || p.deployment_status.target_url || null,
              actor: p.deployment_status.creator?.login ?? p.deployment.creator?.login ?? null,
              productionFlag: p.deployment.production_environment,
            },
            environments,
          );
          return mapped ? [mapped] : null;
        },
      };
    }
    default:
      throw new Error(`not a repository event: ${event}`);
  }
}

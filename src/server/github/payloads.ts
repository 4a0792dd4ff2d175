import { z } from "zod";

// The parts of GitHub's webhook payloads that Sentinel reads. Loose objects: GitHub adds fields
// freely, and we only promise to understand these. A handled event missing one of them is a
// malformed delivery (kept as `failed` with its payload, so a fix can replay it).

const user = z.looseObject({
  login: z.string(),
  id: z.number().int().optional(),
  type: z.string().optional(),
});

export const installationRefSchema = z.looseObject({ id: z.number().int().positive() });

export const installationSchema = z.looseObject({
  id: z.number().int().positive(),
  account: z.looseObject({ login: z.string(), id: z.number().int(), type: z.string().optional() }).nullable(),
  repository_selection: z.string().optional(),
  suspended_at: z.string().nullable().optional(),
});

/** As listed in `installation` and `installation_repositories` payloads (no default branch there). */
export const repositoryRefSchema = z.looseObject({
  id: z.number().int().positive(),
  full_name: z.string().min(3).max(300),
  private: z.boolean().optional(),
});

export const repositorySchema = repositoryRefSchema.extend({
  default_branch: z.string().min(1).max(255).optional(),
  archived: z.boolean().optional(),
  html_url: z.string().optional(),
});

export const installationEventSchema = z.looseObject({
  action: z.string(),
  installation: installationSchema,
  repositories: z.array(repositoryRefSchema).nullish(),
});

export const installationRepositoriesEventSchema = z.looseObject({
  action: z.string(),
  installation: installationSchema,
  repositories_added: z.array(repositoryRefSchema).default([]),
  repositories_removed: z.array(repositoryRefSchema).default([]),
});

export const repositoryEventSchema = z.looseObject({ action: z.string(), repository: repositorySchema });

const gitPerson = z.looseObject({
  name: z.string().nullish(),
  email: z.string().nullish(),
  username: z.string().nullish(),
});

export const pushCommitSchema = z.looseObject({
  id: z.string().regex(/^[0-9a-f]{40}$/),
  message: z.string(),
  timestamp: z.string(),
  url: z.string().nullish(),
  author: gitPerson,
  committer: gitPerson,
  added: z.array(z.string()).default([]),
  removed: z.array(z.string()).default([]),
  modified: z.array(z.string()).default([]),
});

export const pushEventSchema = z.looseObject({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  created: z.boolean().default(false),
  deleted: z.boolean().default(false),
  commits: z.array(pushCommitSchema).default([]),
  repository: repositorySchema,
  sender: user.nullish(),
});

const label = z.looseObject({ name: z.string() });

export const pullRequestSchema = z.looseObject({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  html_url: z.string().nullish(),
  user: user.nullable(),
  labels: z.array(label).default([]),
  head: z.looseObject({ ref: z.string().nullish(), sha: z.string().nullish() }),
  base: z.looseObject({ ref: z.string().nullish() }),
  created_at: z.string(),
  updated_at: z.string().nullish(),
  merged: z.boolean().nullish(),
  merged_at: z.string().nullish(),
  merge_commit_sha: z.string().nullish(),
  commits: z.number().int().nonnegative().nullish(),
});

export const pullRequestEventSchema = z.looseObject({
  action: z.string(),
  pull_request: pullRequestSchema,
  repository: repositorySchema,
});

export const pullRequestReviewEventSchema = z.looseObject({
  action: z.string(),
  review: z.looseObject({
    id: z.number().int(),
    user: user.nullable(),
    state: z.string(),
    submitted_at: z.string().nullish(),
    html_url: z.string().nullish(),
  }),
  pull_request: z.looseObject({
    number: z.number().int().positive(),
    head: z.looseObject({ sha: z.string().nullish() }).nullish(),
    base: z.looseObject({ ref: z.string().nullish() }).nullish(),
  }),
  repository: repositorySchema,
});

export const deploymentStatusEventSchema = z.looseObject({
  action: z.string().optional(),
  deployment_status: z.looseObject({
    id: z.number().int(),
    state: z.string(),
    environment: z.string().nullish(),
    target_url: z.string().nullish(),
    environment_url: z.string().nullish(),
    created_at: z.string(),
    creator: user.nullish(),
  }),
  deployment: z.looseObject({
    id: z.number().int(),
    sha: z.string(),
    ref: z.string().nullish(),
    environment: z.string(),
    production_environment: z.boolean().optional(),
    creator: user.nullish(),
  }),
  repository: repositorySchema,
});

/** Every field the incident intake (src/server/github/incident-issues.ts) reads. */
export const issuesEventSchema = z.looseObject({
  action: z.string(),
  issue: z.looseObject({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string().nullish(),
    html_url: z.string().nullish(),
    labels: z.array(label).default([]),
    created_at: z.string(),
    closed_at: z.string().nullish(),
    updated_at: z.string().nullish(),
  }),
  label: label.optional(),
  repository: repositorySchema,
});

export type InstallationPayload = z.infer<typeof installationSchema>;
export type RepositoryRef = z.infer<typeof repositoryRefSchema>;
export type RepositoryPayload = z.infer<typeof repositorySchema>;
export type PushEvent = z.infer<typeof pushEventSchema>;
export type IssuesEvent = z.infer<typeof issuesEventSchema>;
export type PullRequestPayload = z.infer<typeof pullRequestSchema>;

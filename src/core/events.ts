import { z } from "zod";
import type { EventType } from "./enums.ts";

// `code_events.metadata` per event type. Strict objects: an unknown key is a bug upstream, not data.
const person = z.strictObject({
  name: z.string().max(500).nullable(),
  email: z.string().max(500).nullable(),
  login: z.string().max(100).nullable(),
});

export const commitMetadataSchema = z.strictObject({
  message: z.string().max(100_000),
  author: person,
  committer: person,
  parents: z.array(z.string().regex(/^[0-9a-f]{40}$/)).max(64),
  branch: z.string().max(255).nullable(),
  additions: z.number().int().nonnegative().nullable(),
  deletions: z.number().int().nonnegative().nullable(),
  filesChanged: z.number().int().nonnegative().nullable(),
  url: z.url().nullable(),
  /** How the event reached us: a webhook push, a backfill, the CLI, or the seed. */
  source: z.enum(["push", "backfill", "cli", "seed"]),
});

const prBase = {
  number: z.number().int().positive(),
  title: z.string().max(1000),
  author: z.string().max(100).nullable(),
  authorIsBot: z.boolean(),
  headBranch: z.string().max(255).nullable(),
  baseBranch: z.string().max(255).nullable(),
  labels: z.array(z.string().max(100)).max(100),
  url: z.url().nullable(),
};

export const prOpenedMetadataSchema = z.strictObject({
  ...prBase,
  body: z.string().max(65_536).nullable(),
  reopened: z.boolean(),
});

export const prMergedMetadataSchema = z.strictObject({
  ...prBase,
  mergeMethod: z.enum(["merge", "squash", "rebase", "unknown"]),
  mergeCommitSha: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .nullable(),
  openedAt: z.iso.datetime({ offset: true }).nullable(),
  commits: z.number().int().nonnegative().nullable(),
});

export const prReviewedMetadataSchema = z.strictObject({
  number: z.number().int().positive(),
  reviewer: z.string().max(100).nullable(),
  state: z.enum(["approved", "changes_requested", "commented", "dismissed"]),
  url: z.url().nullable(),
});

export const deployMetadataSchema = z.strictObject({
  environment: z.string().max(255),
  state: z.enum(["success", "failure", "error", "pending", "in_progress", "queued", "inactive"]),
  production: z.boolean(),
  deploymentId: z.number().int().nullable(),
  ref: z.string().max(255).nullable(),
  url: z.url().nullable(),
});

export const incidentEventMetadataSchema = z.strictObject({
  incidentId: z.uuid(),
  change: z.enum(["opened", "status_changed", "updated", "reopened", "linked"]),
  status: z.enum(["investigating", "identified", "resolved"]),
  previousStatus: z.enum(["investigating", "identified", "resolved"]).nullable(),
  severity: z.enum(["sev1", "sev2", "sev3", "sev4"]),
});

export const eventMetadataSchemas = {
  commit: commitMetadataSchema,
  pr_opened: prOpenedMetadataSchema,
  pr_reviewed: prReviewedMetadataSchema,
  pr_merged: prMergedMetadataSchema,
  deploy: deployMetadataSchema,
  incident: incidentEventMetadataSchema,
} as const satisfies Record<EventType, z.ZodType>;

export type EventMetadata = {
  [K in EventType]: z.infer<(typeof eventMetadataSchemas)[K]>;
};
export type AnyEventMetadata = EventMetadata[EventType];

/** Validates metadata for its event type; throws a ZodError naming the bad field. */
export function parseEventMetadata<T extends EventType>(type: T, value: unknown): EventMetadata[T] {
  return eventMetadataSchemas[type].parse(value) as EventMetadata[T];
}

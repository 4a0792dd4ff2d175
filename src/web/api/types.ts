// Response shapes of /api/v1. The REST contract (the zod response schemas of the v1 routes) is
// the single source: each shape with a schema is inferred from it. Type-only imports, erased by
// the build, so no server code reaches the browser bundle. Times are ISO 8601 UTC strings.

import type { z } from "zod";

import type { DetectionSignals } from "../../core/attribution/signals.ts";
import type {
  DetectionMethod,
  EventType,
  IncidentSeverity,
  IncidentStatus,
  MemberRole,
  OrgPlan,
  RiskTier,
  TimePeriod,
} from "../../core/enums.ts";
import type { OrgSettings, RepoSettings, TierRule } from "../../core/settings.ts";
import type { apiKeySchema, createdApiKeySchema } from "../../server/http/routes/v1/api-keys.ts";
import type { attributionSchema, topFilesSchema } from "../../server/http/routes/v1/attributions.ts";
import type { commitSchema } from "../../server/http/routes/v1/commits.ts";
import type { eventSchema } from "../../server/http/routes/v1/events.ts";
import type {
  detailSchema as incidentDetailSchema,
  incidentSchema,
} from "../../server/http/routes/v1/incidents.ts";
import type { installationSchema } from "../../server/http/routes/v1/installations.ts";
import type {
  createdSchema as createdInvitationSchema,
  invitationSchema,
} from "../../server/http/routes/v1/invitations.ts";
import type { meSchema } from "../../server/http/routes/v1/me.ts";
import type { memberSchema } from "../../server/http/routes/v1/members.ts";
import type {
  doraSchema,
  rankingSchema,
  seriesSchema,
  survivalSchema,
} from "../../server/http/routes/v1/metrics.ts";
import type { organizationSchema } from "../../server/http/routes/v1/organization.ts";
import type { repositorySchema, repositorySyncSchema } from "../../server/http/routes/v1/repositories.ts";

export type {
  DetectionMethod,
  DetectionSignals,
  EventType,
  IncidentSeverity,
  IncidentStatus,
  MemberRole,
  OrgPlan,
  OrgSettings,
  RepoSettings,
  RiskTier,
  TierRule,
  TimePeriod,
};

/** A cursor page, as every list route returns it (generic, so written by hand). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Me = z.infer<typeof meSchema>;
export type OrganizationSummary = Me["organizations"][number];

/** GET /api/dashboard/config: public facts about this server. */
export interface DashboardConfig {
  /** installUrl is null when no GitHub App is configured (GITHUB_APP_SLUG unset). */
  github: { appSlug: string | null; installUrl: string | null };
}

export type Organization = z.infer<typeof organizationSchema>;
export type Member = z.infer<typeof memberSchema>;
export type Invitation = z.infer<typeof invitationSchema>;
/** POST /invitations: the invitation and its accept link, shown once. */
export type CreatedInvitation = z.infer<typeof createdInvitationSchema>;
export type Installation = z.infer<typeof installationSchema>;
export type Repository = z.infer<typeof repositorySchema>;
/** A repository's git mirror and the import of its history (the backfill). */
export type RepositorySync = z.infer<typeof repositorySyncSchema>;
export type CodeEvent = z.infer<typeof eventSchema>;
/** aiConfidence is null when there is no evidence either way (unknown, never "human"). */
export type Attribution = z.infer<typeof attributionSchema>;
export type Commit = z.infer<typeof commitSchema>;
/** GET /repositories/{id}/top-files: per-file sums over every matching file change. */
export type TopFiles = z.infer<typeof topFilesSchema>;

export type MetricsSeries = z.infer<typeof seriesSchema>;
export type MetricsPoint = MetricsSeries["series"][number];
export type TierLines = MetricsPoint["tiers"][RiskTier];
export type Dora = z.infer<typeof doraSchema>;
export type DoraGroup = Dora["all"];
export type Survival = z.infer<typeof survivalSchema>;
export type ChurnWindow = Survival["churn"][number];
export type FileSurvival = Commit["survival"][number];
export type RepositoryRanking = z.infer<typeof rankingSchema>["items"][number];

export type Incident = z.infer<typeof incidentSchema>;
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;

export type ApiKey = z.infer<typeof apiKeySchema>;
/** POST /api-keys: the key itself, shown once. */
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

// Response shapes of /api/v1, as agreed in the REST contract. Times are ISO 8601 UTC strings.

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

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface OrganizationSummary {
  id: string;
  slug: string;
  name: string;
  plan: OrgPlan;
  role: MemberRole;
}

export interface Me {
  user: { id: string; name: string; email: string };
  organizations: OrganizationSummary[];
}

/** GET /api/dashboard/config: public facts about this server. */
export interface DashboardConfig {
  /** installUrl is null when no GitHub App is configured (GITHUB_APP_SLUG unset). */
  github: { appSlug: string | null; installUrl: string | null };
}

export interface Organization {
  id: string;
  slug: string;
  name: string;
  plan: OrgPlan;
  settings: OrgSettings;
  createdAt: string;
}

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: MemberRole;
  createdAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: MemberRole;
  expiresAt: string;
  acceptedAt?: string | null;
  createdAt?: string;
  /** Only in the response that created it. */
  acceptUrl?: string;
}

export interface Installation {
  installationId: number | string;
  accountLogin: string;
  accountType: string;
  suspendedAt: string | null;
  repositoryCount: number;
}

export interface Repository {
  id: string;
  fullName: string;
  defaultBranch: string;
  tracked: boolean;
  isPrivate: boolean;
  settings: RepoSettings;
  createdAt: string;
}

export interface CodeEvent {
  id: string;
  repositoryId: string;
  type: EventType;
  commitSha: string | null;
  timestamp: string;
  actor: string | null;
  metadata: Record<string, unknown>;
}

export interface Attribution {
  id: string;
  repositoryId: string;
  commitSha: string;
  filePath: string;
  /** Null when there is no evidence either way (unknown, never "human"). */
  aiConfidence: number | null;
  detectionMethod: DetectionMethod | null;
  riskTier: RiskTier;
  linesAdded: number;
  linesDeleted: number;
  aiLines: number;
  humanLines: number;
  unknownLines: number;
  tool: string | null;
  model: string | null;
  committedAt: string;
  detectionSignals: unknown;
}

export interface Commit {
  sha: string;
  repositoryId: string;
  committedAt: string;
  message: string | null;
  author: string | null;
  aiConfidence: number | null;
  tool: string | null;
  model: string | null;
  files: Attribution[];
}

/** GET /repositories/{id}/top-files: per-file sums over every matching file change. */
export interface TopFiles {
  /** The UTC days counted, both included; null: unbounded on that side. */
  window: { from: string | null; to: string | null };
  /** Every file change matching the filters. */
  fileChanges: number;
  /** Files with AI-written lines among them; `items` are the first of them. */
  files: number;
  items: Array<{
    path: string;
    aiLines: number;
    linesAdded: number;
    changes: number;
    latestRiskTier: RiskTier;
    tools: string[];
  }>;
}

export interface TierLines {
  lines: number;
  aiLines: number;
}

export interface MetricsPoint {
  date: string;
  commits: number;
  aiCommits: number;
  linesAdded: number;
  aiLinesAdded: number;
  humanLinesAdded: number;
  unknownLinesAdded: number;
  aiShare: number | null;
  coverage: number | null;
  aiLinesByTool: Record<string, number>;
  tiers: Partial<Record<RiskTier, TierLines>>;
  prsMerged: number;
  deploys: number;
  incidentsOpened: number;
}

export interface MetricsSeries {
  period: TimePeriod;
  series: MetricsPoint[];
}

export interface DoraGroup {
  deploys: number;
  deploymentFrequencyPerWeek: number | null;
  leadTimeMedianSeconds: number | null;
  leadTimeSamples: number;
  changeFailureRate: number | null;
  failedDeploys: number;
  timeToRestoreMedianSeconds: number | null;
  restoreSamples: number;
}

export interface Dora {
  window: { from: string; to: string };
  aiHeavyThreshold: number;
  aiHeavy: DoraGroup;
  other: DoraGroup;
  all: DoraGroup;
}

export interface RepositoryRanking {
  repositoryId: string;
  fullName: string;
  linesAdded: number;
  aiLinesAdded: number;
  aiShare: number | null;
  t3t4Lines: number;
  t3t4AiLines: number;
  t3t4AiShare: number | null;
}

export interface Incident {
  id: string;
  repositoryId: string | null;
  title: string;
  description: string | null;
  severity: IncidentSeverity;
  status: IncidentStatus;
  source: string;
  startedAt: string;
  identifiedAt: string | null;
  resolvedAt: string | null;
  deployEventId: string | null;
  deploySha: string | null;
  commitSha: string | null;
  linkMethod: string | null;
  suspectAiShare: number | null;
  suspectLinesAdded: number | null;
  suspectAiLinesT3T4: number | null;
  createdAt: string;
}

export interface IncidentDetail extends Incident {
  timeline: { status: IncidentStatus; at: string; by: string | null }[];
  deploy: { id: string; sha: string | null; timestamp: string; environment: string | null } | null;
  commits: {
    sha: string;
    message: string | null;
    committedAt: string;
    aiConfidence: number | null;
    aiLines: number;
    linesAdded: number;
    files: { filePath: string; riskTier: RiskTier; aiConfidence: number | null; aiLines: number }[];
  }[];
}

export interface ApiKey {
  id: string;
  name: string;
  displayPrefix: string;
  scopes: string[];
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
  /** Only in the response that created it. */
  key?: string;
}

// Domain vocabularies, shared by the database enums, zod schemas, the engine and the UI.
// Labels exactly as the spec writes them.
export const ORG_PLANS = ["free", "team", "enterprise"] as const;
export const MEMBER_ROLES = ["owner", "admin", "member", "viewer"] as const;
export const EVENT_TYPES = ["commit", "pr_opened", "pr_reviewed", "pr_merged", "deploy", "incident"] as const;
export const DETECTION_METHODS = ["heuristic", "ml_model", "manual_override"] as const;
export const RISK_TIERS = ["T1_boilerplate", "T2_glue", "T3_core", "T4_novel"] as const;
export const TIME_PERIODS = ["day", "week", "month"] as const;
export const INCIDENT_SEVERITIES = ["sev1", "sev2", "sev3", "sev4"] as const;
export const INCIDENT_STATUSES = ["investigating", "identified", "resolved"] as const;
export const GITHUB_ACCOUNT_TYPES = ["organization", "user"] as const;

export type OrgPlan = (typeof ORG_PLANS)[number];
export type MemberRole = (typeof MEMBER_ROLES)[number];
export type EventType = (typeof EVENT_TYPES)[number];
export type DetectionMethod = (typeof DETECTION_METHODS)[number];
export type RiskTier = (typeof RISK_TIERS)[number];
export type TimePeriod = (typeof TIME_PERIODS)[number];
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type GithubAccountType = (typeof GITHUB_ACCOUNT_TYPES)[number];

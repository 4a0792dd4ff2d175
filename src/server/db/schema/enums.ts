import { pgEnum } from "drizzle-orm/pg-core";
import {
  DETECTION_METHODS,
  EVENT_TYPES,
  GITHUB_ACCOUNT_TYPES,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  MEMBER_ROLES,
  ORG_PLANS,
  RISK_TIERS,
  TIME_PERIODS,
} from "../../../core/enums.ts";

export const orgPlan = pgEnum("org_plan", ORG_PLANS);
export const memberRole = pgEnum("member_role", MEMBER_ROLES);
export const eventType = pgEnum("event_type", EVENT_TYPES);
export const detectionMethod = pgEnum("detection_method", DETECTION_METHODS);
export const riskTier = pgEnum("risk_tier", RISK_TIERS);
export const timePeriod = pgEnum("time_period", TIME_PERIODS);
export const incidentSeverity = pgEnum("incident_severity", INCIDENT_SEVERITIES);
export const incidentStatus = pgEnum("incident_status", INCIDENT_STATUSES);
export const githubAccountType = pgEnum("github_account_type", GITHUB_ACCOUNT_TYPES);

import type { incidents } from "../../db/schema/index.ts";

export type IncidentRow = typeof incidents.$inferSelect;

/** An incident as the API shows it. */
export interface IncidentView {
  id: string;
  repositoryId: string | null;
  title: string;
  description: string | null;
  severity: IncidentRow["severity"];
  status: IncidentRow["status"];
  source: string;
  externalId: string | null;
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

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toIncidentView(row: IncidentRow): IncidentView {
  return {
    id: row.id,
    repositoryId: row.repoId,
    title: row.title,
    description: row.description,
    severity: row.severity,
    status: row.status,
    source: row.source,
    externalId: row.externalId,
    startedAt: row.startedAt.toISOString(),
    identifiedAt: iso(row.identifiedAt),
    resolvedAt: iso(row.resolvedAt),
    deployEventId: row.deployEventId,
    deploySha: row.deploySha,
    commitSha: row.commitSha,
    linkMethod: row.linkMethod,
    suspectAiShare: row.suspectAiShare,
    suspectLinesAdded: row.suspectLinesAdded,
    suspectAiLinesT3T4: row.suspectAiLinesT3T4,
    createdAt: row.createdAt.toISOString(),
  };
}

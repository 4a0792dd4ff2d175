import type { DetectionSignals } from "../../../core/attribution/signals.ts";
import type { DetectionMethod, RiskTier } from "../../../core/enums.ts";
import { codeAttribution } from "../../db/schema/telemetry.ts";

export interface AttributionView {
  id: string;
  repositoryId: string;
  commitSha: string;
  filePath: string;
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
  committedAt: Date;
  detectionSignals: DetectionSignals;
}

/** The columns of an AttributionView, for `select`. */
export const attributionColumns = {
  id: codeAttribution.id,
  repositoryId: codeAttribution.repoId,
  commitSha: codeAttribution.commitSha,
  filePath: codeAttribution.filePath,
  aiConfidence: codeAttribution.aiConfidence,
  detectionMethod: codeAttribution.detectionMethod,
  riskTier: codeAttribution.riskTier,
  linesAdded: codeAttribution.linesAdded,
  linesDeleted: codeAttribution.linesDeleted,
  aiLines: codeAttribution.aiLines,
  humanLines: codeAttribution.humanLines,
  unknownLines: codeAttribution.unknownLines,
  tool: codeAttribution.tool,
  model: codeAttribution.model,
  committedAt: codeAttribution.committedAt,
  detectionSignals: codeAttribution.detectionSignals,
};

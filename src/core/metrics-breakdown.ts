import { z } from "zod";

const counts = z.record(z.string().max(100), z.number().int().nonnegative());

// `repo_metrics.breakdown`: the parts of a roll-up that are keyed by name, and the sample sizes
// behind every ratio so a small sample is visible as small.
export const metricsBreakdownSchema = z.strictObject({
  aiLinesByTool: counts.default({}),
  incidentsBySeverity: counts.default({}),
  samples: counts.default({}),
});

export type MetricsBreakdown = z.infer<typeof metricsBreakdownSchema>;

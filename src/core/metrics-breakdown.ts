import { z } from "zod";

const counts = z.record(z.string().max(100), z.number().int().nonnegative());

// `repo_metrics.breakdown`: the parts of a roll-up that are keyed by name, and the sample sizes
// behind every ratio so a small sample is visible as small.
export const metricsBreakdownSchema = z.strictObject({
  aiLinesByTool: counts.default({}),
  incidentsBySeverity: counts.default({}),
  samples: counts.default({}),
  /**
   * Churn per window (`14d`, `30d`, `90d`), per key: `ai`, `human`, `unknown`, `tool:<name>` (AI
   * lines), `tier:<tier|none>:<class>`; each `[lines old enough, lines churned]`.
   */
  churn: z
    .record(
      z.string().regex(/^\d+d$/),
      z.record(
        z.string().max(200),
        z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
      ),
    )
    .optional(),
});

export type MetricsBreakdown = z.infer<typeof metricsBreakdownSchema>;

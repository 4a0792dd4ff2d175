import { z } from "zod";

// `incidents.metadata`: what an external system told us, kept small and typed.
export const incidentMetadataSchema = z.strictObject({
  source: z.enum(["api", "pagerduty", "github_issue", "seed"]),
  externalUrl: z.url().nullable().default(null),
  service: z.string().max(255).nullable().default(null),
  /** Every status change, so a reopen stays visible. */
  history: z
    .array(
      z.strictObject({
        status: z.enum(["investigating", "identified", "resolved"]),
        at: z.iso.datetime({ offset: true }),
        by: z.string().max(255).nullable(),
      }),
    )
    .max(1000)
    .default([]),
});

export type IncidentMetadata = z.infer<typeof incidentMetadataSchema>;

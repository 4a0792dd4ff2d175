import { z } from "zod";

// `code_attribution.detection_signals`: everything needed to re-check a verdict by hand.
export const signalSchema = z.strictObject({
  /** The detector module that fired, e.g. `co-author-trailer`. */
  detector: z.string().min(1).max(100),
  tool: z.string().max(100).nullable(),
  model: z.string().max(200).nullable(),
  /** The exact text or record that triggered it. */
  evidence: z.string().max(2000),
  weight: z.number().min(0).max(1),
  /** Set when the evidence came from another commit: a PR's own commit carried over to its squash merge. */
  commitSha: z.string().min(1).max(64).optional(),
});

export const lineSplitSchema = z.strictObject({
  ai: z.number().int().nonnegative(),
  human: z.number().int().nonnegative(),
  unknown: z.number().int().nonnegative(),
});

/**
 * Where the commit was read from: git (a local repository or the App's mirror, with notes, traces,
 * CODEOWNERS and .gitattributes) or GitHub's REST API (none of those), and why REST was used.
 */
export const commitSourceSchema = z.discriminatedUnion("reader", [
  z.strictObject({ reader: z.literal("git") }),
  z.strictObject({ reader: z.literal("rest"), reason: z.string().min(1).max(500) }),
]);

export const detectionSignalsSchema = z.strictObject({
  engineVersion: z.string().min(1).max(50),
  signals: z.array(signalSchema).max(100),
  lines: lineSplitSchema,
  tierReason: z.string().max(500),
  /** Present when the ml_model produced the confidence: which model, so every number is traceable. */
  model: z
    .strictObject({ version: z.string().max(100), score: z.number().min(0).max(1) })
    .nullable()
    .default(null),
  override: z
    .strictObject({
      actor: z.string().max(255),
      reason: z.string().min(1).max(2000),
      at: z.iso.datetime({ offset: true }),
    })
    .nullable()
    .default(null),
  /** Absent on rows written before it was recorded (then the App read REST, the CLI git). */
  source: commitSourceSchema.optional(),
});

export type CommitSource = z.infer<typeof commitSourceSchema>;
export type Signal = z.infer<typeof signalSchema>;
export type LineSplit = z.infer<typeof lineSplitSchema>;
export type DetectionSignals = z.infer<typeof detectionSignalsSchema>;

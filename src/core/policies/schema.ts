import { z } from "zod";
import { globError, MAX_GLOB_LENGTH } from "../attribution/glob.ts";
import { RISK_TIERS, type RiskTier } from "../enums.ts";

// A team's policies for pull requests, as JSON: a file for `sentinel check --policy`, and the
// organization's (overridable per repository) settings for the App's check runs. Globs are
// validated by the product's one matcher (linear time, so a hostile pattern cannot stall a check).

/**
 * What an unmet policy does to the check: `notice` reports it and leaves the conclusion alone,
 * `neutral` makes the check neutral, `failure` fails it.
 */
export const POLICY_CONCLUSIONS = ["notice", "neutral", "failure"] as const;
export type PolicyConclusion = (typeof POLICY_CONCLUSIONS)[number];

const SHORT_TIERS: Record<string, RiskTier> = {
  T1: "T1_boilerplate",
  T2: "T2_glue",
  T3: "T3_core",
  T4: "T4_novel",
};

/** `T4` or `T4_novel`. */
const tierSchema = z.preprocess(
  (value) => (typeof value === "string" ? (SHORT_TIERS[value.toUpperCase()] ?? value) : value),
  z.enum(RISK_TIERS),
);

const globSchema = z
  .string()
  .min(1)
  .max(MAX_GLOB_LENGTH, `a path pattern is at most ${MAX_GLOB_LENGTH} characters`)
  .superRefine((pattern, ctx) => {
    const error = pattern.length > MAX_GLOB_LENGTH ? null : globError(pattern);
    if (error !== null) ctx.addIssue({ code: "custom", message: `path pattern "${pattern}": ${error}` });
  });

const common = {
  /** Names the policy in the summary; default: its kind and position. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "an id is 1–64 letters, digits, '.', '_' or '-'")
    .optional(),
  description: z.string().max(300).optional(),
};

/** AI-written lines in these tiers need an approving review from one of the file's CODEOWNERS. */
export const codeownerReviewPolicySchema = z.strictObject({
  kind: z.literal("codeowner-review"),
  ...common,
  tiers: z.array(tierSchema).min(1).max(4).default(["T4_novel"]),
  conclusion: z.enum(POLICY_CONCLUSIONS).default("failure"),
});

/** More than `maxAiLines` AI-written lines in paths matching `paths`. */
export const aiLinesInPathsPolicySchema = z.strictObject({
  kind: z.literal("ai-lines-in-paths"),
  ...common,
  paths: z.array(globSchema).min(1).max(50),
  maxAiLines: z.number().int().nonnegative().max(10_000_000),
  conclusion: z.enum(POLICY_CONCLUSIONS).default("neutral"),
});

/** A change of more than `minLines` added lines with no evidence at all (every line unknown). */
export const evidenceRequiredPolicySchema = z.strictObject({
  kind: z.literal("evidence-required"),
  ...common,
  minLines: z.number().int().nonnegative().max(10_000_000),
  conclusion: z.enum(POLICY_CONCLUSIONS).default("notice"),
});

export const policySchema = z.discriminatedUnion("kind", [
  codeownerReviewPolicySchema,
  aiLinesInPathsPolicySchema,
  evidenceRequiredPolicySchema,
]);

export const MAX_POLICIES = 50;

export const policySetSchema = z.strictObject({
  /** Paths the team declares sensitive: AI lines there are annotated whatever their tier. */
  sensitivePaths: z.array(globSchema).max(100).default([]),
  policies: z.array(policySchema).max(MAX_POLICIES).default([]),
});

export type Policy = z.infer<typeof policySchema>;
export type PolicySet = z.infer<typeof policySetSchema>;
/** The JSON a user writes (defaults not yet applied). */
export type PolicySetInput = z.input<typeof policySetSchema>;

/** Largest policy document accepted, in bytes of JSON: a limit before parsing, not after. */
export const MAX_POLICY_BYTES = 64 * 1024;

/** One line per problem, with where it is (`policies.1.paths.0: …`), for errors shown to people. */
export function describePolicyIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`)
    .join("; ");
}

/** Parses a policy document's text; throws PolicyError with every problem in one message. */
export function parsePolicyText(text: string): PolicySet {
  if (text.length > MAX_POLICY_BYTES || new TextEncoder().encode(text).length > MAX_POLICY_BYTES)
    throw new PolicyError(`the policy document is larger than ${MAX_POLICY_BYTES / 1024} KiB`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(`the policy document is not JSON: ${(error as Error).message}`);
  }
  const parsed = policySetSchema.safeParse(json);
  if (!parsed.success) throw new PolicyError(`invalid policy: ${describePolicyIssues(parsed.error)}`);
  return parsed.data;
}

export class PolicyError extends Error {
  override name = "PolicyError";
}

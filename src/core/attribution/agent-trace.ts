import { z } from "zod";
import type { AgentTraceRecord } from "./types.ts";

// Agent Trace v0.1 (https://agent-trace.dev): one JSON record per line of `.agent-trace/traces.jsonl`.
// Extra fields are allowed (the spec is young and vendors add metadata); the fields we read are checked.

const contributorSchema = z.looseObject({
  type: z.enum(["human", "ai", "mixed", "unknown"]),
  model_id: z.string().nullish(),
});

const rangeSchema = z
  .looseObject({
    start_line: z.number().int().positive(),
    end_line: z.number().int().positive(),
    contributor: contributorSchema.optional(),
  })
  .refine((r) => r.end_line >= r.start_line, "end_line before start_line");

const recordSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().min(1),
  timestamp: z.string().optional(),
  vcs: z.looseObject({ type: z.string().optional(), revision: z.string().min(1) }).nullish(),
  tool: z.union([z.string(), z.looseObject({ name: z.string(), version: z.string().optional() })]).nullish(),
  files: z.array(
    z.looseObject({
      path: z.string().min(1),
      conversations: z.array(
        z.looseObject({
          url: z.string().optional(),
          contributor: contributorSchema.optional(),
          ranges: z.array(rangeSchema),
        }),
      ),
    }),
  ),
});

export interface SkippedTraceLine {
  /** 1-based line of the JSONL text. */
  line: number;
  reason: string;
}

export interface AgentTraceParseResult {
  records: AgentTraceRecord[];
  skipped: SkippedTraceLine[];
}

type RawRecord = z.infer<typeof recordSchema>;
type RawContributor = z.infer<typeof contributorSchema>;

function toContributor(c: RawContributor | undefined) {
  return { type: c?.type ?? "unknown", modelId: c?.model_id ?? null } as const;
}

function toRecord(raw: RawRecord): AgentTraceRecord {
  return {
    id: raw.id,
    tool: typeof raw.tool === "string" ? raw.tool : (raw.tool?.name ?? null),
    revision: raw.vcs?.revision ?? null,
    files: raw.files.map((f) => ({
      path: f.path.replace(/^\.\//, ""),
      // A range may carry its own contributor, which then wins over its conversation's: split them.
      conversations: f.conversations.flatMap((c) => {
        const own = c.ranges.filter((r) => r.contributor === undefined);
        const split = c.ranges.filter((r) => r.contributor !== undefined);
        const out = split.map((r) => ({
          contributor: toContributor(r.contributor),
          ranges: [{ startLine: r.start_line, endLine: r.end_line }],
        }));
        if (own.length > 0) {
          out.unshift({
            contributor: toContributor(c.contributor),
            ranges: own.map((r) => ({ startLine: r.start_line, endLine: r.end_line })),
          });
        }
        return out;
      }),
    })),
  };
}

/** Parses `traces.jsonl`, reporting every line it had to skip (not JSON, or not a v0.1 record). */
export function parseAgentTraceJsonlWithReport(text: string): AgentTraceParseResult {
  const records: AgentTraceRecord[] = [];
  const skipped: SkippedTraceLine[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      skipped.push({ line: i + 1, reason: "not JSON" });
      return;
    }
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      skipped.push({ line: i + 1, reason: `${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}` });
      return;
    }
    records.push(toRecord(parsed.data));
  });
  return { records, skipped };
}

/** The valid records of `traces.jsonl`; bad lines are skipped (see `parseAgentTraceJsonlWithReport` for the count). */
export function parseAgentTraceJsonl(text: string): AgentTraceRecord[] {
  return parseAgentTraceJsonlWithReport(text).records;
}

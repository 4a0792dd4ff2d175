import type { AddedLines } from "./diff.ts";
import { makeSignal } from "./make-signal.ts";
import type { Signal } from "./signals.ts";
import { normaliseTool } from "./tools.ts";
import type { AgentTraceRecord, GitAiNote } from "./types.ts";

// Line-level records (git-ai notes, Agent Trace) say which lines of a file an AI or a person wrote.
// They are the most precise evidence there is, so for the lines they cover they beat commit-level
// signals; they are not proof either (a tool may mis-track an edit), hence weights below 1.

export const LINE_AI_WEIGHT = 0.95;
export const LINE_MIXED_WEIGHT = 0.7;

type Verdict = "ai" | "mixed" | "human" | "unknown";
const RANK: Record<Verdict, number> = { unknown: 0, human: 1, mixed: 2, ai: 3 };

export interface RangeGroup {
  source: "git-ai-note" | "agent-trace";
  verdict: Verdict;
  tool: string | null;
  model: string | null;
  /** Prompt id or trace record id. */
  ref: string;
  ranges: Array<{ start: number; end: number }>;
}

/** Per file path, the groups of ranges (one per prompt or conversation) that describe it. */
export type LineRecordIndex = Map<string, RangeGroup[]>;

function revisionMatches(revision: string | null | undefined, sha: string): boolean {
  if (revision == null || revision === "") return true;
  const r = revision.toLowerCase();
  const s = sha.toLowerCase();
  return r.length >= 7 && (s.startsWith(r) || r.startsWith(s));
}

export function indexLineRecords(
  sha: string,
  note: GitAiNote | null | undefined,
  traces: readonly AgentTraceRecord[] | undefined,
): LineRecordIndex {
  const index: LineRecordIndex = new Map();
  const add = (path: string, group: RangeGroup) => {
    const list = index.get(path);
    if (list === undefined) index.set(path, [group]);
    else list.push(group);
  };
  if (note != null) {
    for (const file of note.files) {
      const byPrompt = new Map<string, RangeGroup>();
      for (const r of file.ranges) {
        let group = byPrompt.get(r.promptId);
        if (group === undefined) {
          const prompt = note.prompts[r.promptId];
          group = {
            source: "git-ai-note",
            verdict: "ai",
            tool: prompt?.tool != null ? normaliseTool(prompt.tool) : null,
            model: prompt?.model ?? null,
            ref: `prompt ${r.promptId}`,
            ranges: [],
          };
          byPrompt.set(r.promptId, group);
          add(file.path, group);
        }
        group.ranges.push({ start: r.start, end: r.end });
      }
    }
  }
  for (const record of traces ?? []) {
    if (!revisionMatches(record.revision, sha)) continue;
    for (const file of record.files) {
      for (const conv of file.conversations) {
        add(file.path, {
          source: "agent-trace",
          verdict: conv.contributor.type,
          tool: record.tool !== null ? normaliseTool(record.tool) : null,
          model: conv.contributor.modelId,
          ref: `record ${record.id}`,
          ranges: conv.ranges.map((r) => ({ start: r.startLine, end: r.endLine })),
        });
      }
    }
  }
  return index;
}

export interface LineRecordResult {
  ai: number;
  human: number;
  /** Covered by a record whose contributor is `unknown`. */
  coveredUnknown: number;
  /** Added lines no record covers: the commit-level evidence decides them. */
  uncovered: number;
  signals: Signal[];
}

function formatRanges(ranges: ReadonlyArray<{ start: number; end: number }>): string {
  return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(",");
}

/** The group deciding new-file line `line` (AI > mixed > human > unknown on overlap); -1: none covers it. */
export function groupAt(groups: readonly RangeGroup[], line: number): number {
  let best = -1;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g];
    if (group === undefined) continue;
    if (best !== -1 && RANK[group.verdict] <= RANK[groups[best]?.verdict ?? "unknown"]) continue;
    for (const r of group.ranges) {
      if (line >= r.start && line <= r.end) {
        best = g;
        break;
      }
    }
  }
  return best;
}

/** Decides each added line by the records covering it (AI > mixed > human > unknown when they overlap). */
export function applyLineRecords(
  path: string,
  groups: readonly RangeGroup[],
  added: AddedLines,
): LineRecordResult {
  const credited = new Array<number>(groups.length).fill(0);
  let ai = 0;
  let human = 0;
  let coveredUnknown = 0;
  let uncovered = 0;
  for (const line of added.lineNumbers) {
    const best = groupAt(groups, line);
    if (best === -1) {
      uncovered++;
      continue;
    }
    credited[best] = (credited[best] ?? 0) + 1;
    const verdict = groups[best]?.verdict;
    if (verdict === "ai" || verdict === "mixed") ai++;
    else if (verdict === "human") human++;
    else coveredUnknown++;
  }
  const signals: Signal[] = [];
  groups.forEach((group, g) => {
    const n = credited[g] ?? 0;
    if (n === 0 || group.verdict === "unknown") return;
    const weight =
      group.verdict === "ai" ? LINE_AI_WEIGHT : group.verdict === "mixed" ? LINE_MIXED_WEIGHT : 0;
    const evidence = `${group.source === "git-ai-note" ? "refs/notes/ai" : "Agent Trace"} ${group.ref}: ${path} lines ${formatRanges(group.ranges)} (${group.verdict}) cover ${n} added line${n === 1 ? "" : "s"}`;
    signals.push(makeSignal(group.source, group.tool, group.model, evidence, weight));
  });
  return { ai, human, coveredUnknown, uncovered, signals };
}

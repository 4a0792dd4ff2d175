import { round } from "../combine.ts";
import { makeSignal } from "../make-signal.ts";
import type { ParsedMessage, Trailer } from "../message.ts";
import type { Signal } from "../signals.ts";
import { normaliseTool } from "../tools.ts";
import type { CommitView } from "./commit-view.ts";

// Entire (entire.io CLI) links a commit to the agent session that touched its files:
//
//   Entire-Checkpoint: a3b2c4d5e6f7
//   Entire-Attribution: 73% agent (146/200 lines)
//
// The second trailer is Entire's own estimate of how many of the commit's added lines the agent
// wrote (from line diffs between its checkpoints), so it is used as a share, not as a yes/no.

/** A checkpoint says an agent session touched the commit's files; how much of it the agent wrote is not said. */
export const ENTIRE_CHECKPOINT_WEIGHT = 0.8;
/** The share is an estimate, not a line-level record: its weight never exceeds a line record's. */
export const ENTIRE_MAX_SHARE_WEIGHT = 0.95;
/** The detector name of a share signal. */
export const ENTIRE_ATTRIBUTION = "entire-attribution";

// A legacy 12-hex id or a 26-character ULID (Crockford base32), as Entire writes them.
const CHECKPOINT_ID = /^(?:[0-9a-f]{12}|[0-9A-HJKMNP-TV-Z]{26})$/i;
const ATTRIBUTION = /^(\d{1,3})% agent \((\d{1,9})\/(\d{1,9}) lines?\)$/;

/** Agent lines out of the commit's added lines, as Entire counted them. */
export interface LineShare {
  agentLines: number;
  totalLines: number;
  /** The trailer lines it was read from. */
  evidence: string[];
}

/** `73% agent (146/200 lines)` → counts, or null when malformed or self-contradictory. */
function parseAttribution(value: string): { agent: number; total: number } | null {
  const m = ATTRIBUTION.exec(value);
  if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined) return null;
  const percent = Number(m[1]);
  const agent = Number(m[2]);
  const total = Number(m[3]);
  if (total === 0 || agent > total) return null;
  // Entire prints the percentage rounded from the same counts; one that disagrees was edited by hand.
  if (Math.abs(percent - (100 * agent) / total) > 1) return null;
  return { agent, total };
}

/**
 * The pooled share of every well-formed `Entire-Attribution` trailer in the message (a squash
 * merge may carry one per squashed commit): Σ agent lines / Σ lines. Null when there is none.
 */
export function entireLineShare(message: ParsedMessage): LineShare | null {
  let agentLines = 0;
  let totalLines = 0;
  const evidence: string[] = [];
  for (const t of message.trailers) {
    if (t.key !== "entire-attribution") continue;
    const parsed = parseAttribution(t.value);
    if (parsed === null) continue;
    agentLines += parsed.agent;
    totalLines += parsed.total;
    evidence.push(t.line);
  }
  return totalLines === 0 ? null : { agentLines, totalLines, evidence };
}

/** Pools several shares (a squash merge's carried-over PR commits) into one. */
export function poolLineShares(shares: ReadonlyArray<LineShare | null>): LineShare | null {
  const present = shares.filter((s): s is LineShare => s !== null);
  if (present.length === 0) return null;
  return {
    agentLines: present.reduce((n, s) => n + s.agentLines, 0),
    totalLines: present.reduce((n, s) => n + s.totalLines, 0),
    evidence: present.flatMap((s) => s.evidence),
  };
}

/** The confidence a share gives: the agent's fraction of the lines, capped. */
export function shareWeight(share: LineShare): number {
  return round(Math.min(share.agentLines / share.totalLines, ENTIRE_MAX_SHARE_WEIGHT));
}

/** The signal a share gives: weight = the agent's fraction of the lines, evidence = the trailers. */
export function entireShareSignal(share: LineShare, tool: string | null): Signal {
  return makeSignal(ENTIRE_ATTRIBUTION, tool, null, share.evidence.join("\n"), shareWeight(share));
}

function agentTool(trailers: readonly Trailer[]): string | null {
  const agent = trailers.find((t) => t.key === "entire-agent");
  return agent === undefined ? null : normaliseTool(agent.value);
}

/**
 * `Entire-Attribution` (a share of the lines; its weight is that share) or, without one, a valid
 * `Entire-Checkpoint` (an agent session touched the files). One signal per commit: the checkpoint
 * adds nothing the share does not already say.
 */
export function detectEntire(view: CommitView): Signal[] {
  const tool = agentTool(view.message.trailers);
  const share = entireLineShare(view.message);
  if (share !== null) return [entireShareSignal(share, tool)];
  const checkpoint = view.message.trailers.find(
    (t) => t.key === "entire-checkpoint" && CHECKPOINT_ID.test(t.value),
  );
  if (checkpoint === undefined) return [];
  return [makeSignal("entire-checkpoint", tool, null, checkpoint.line, ENTIRE_CHECKPOINT_WEIGHT)];
}

import { makeSignal } from "../make-signal.ts";
import type { Signal } from "../signals.ts";

/** Weak: a person may name a branch `claude/…` too. */
export const BRANCH_PREFIX_WEIGHT = 0.4;

const PREFIXES: ReadonlyMap<string, string> = new Map([
  ["claude", "claude-code"],
  ["copilot", "copilot-agent"],
  ["cursor", "cursor"],
  ["codex", "codex"],
  ["devin", "devin"],
]);
const BRANCH_PREFIX = /^(?:refs\/heads\/)?(claude|copilot|cursor|codex|devin)\/\S/;

/** Branches agents create by default: `claude/…`, `copilot/…`, `cursor/…`, `codex/…`, `devin/…`. */
export function detectBranchPrefix(branch: string | null | undefined, where: string): Signal[] {
  if (branch == null) return [];
  const m = BRANCH_PREFIX.exec(branch);
  const tool = m?.[1] === undefined ? undefined : PREFIXES.get(m[1]);
  if (tool === undefined) return [];
  return [makeSignal("branch-prefix", tool, null, `${where} ${branch}`, BRANCH_PREFIX_WEIGHT)];
}

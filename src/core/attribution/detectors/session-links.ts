import { makeSignal } from "../make-signal.ts";
import type { Signal } from "../signals.ts";
import type { CommitView } from "./commit-view.ts";

export const CLAUDE_SESSION_WEIGHT = 0.9;
export const AGENT_LOGS_WEIGHT = 0.9;

const CLAUDE_SESSION = /^https:\/\/claude\.ai\/code\/session_\S+$/;
const AGENT_LOGS = /^https:\/\/github\.com\/[^/\s]+\/[^/\s]+\/sessions\/[0-9a-f-]{8,}\/?$/i;

/** Links to the agent session that made the commit: `Claude-Session:`, Copilot's `Agent-Logs-Url:`. */
export function detectSessionLinks(view: CommitView): Signal[] {
  const out: Signal[] = [];
  for (const t of view.message.trailers) {
    if (t.key === "claude-session" && CLAUDE_SESSION.test(t.value)) {
      out.push(makeSignal("claude-session", "claude-code", null, t.line, CLAUDE_SESSION_WEIGHT));
    } else if (t.key === "agent-logs-url" && AGENT_LOGS.test(t.value)) {
      out.push(makeSignal("agent-logs-url", "copilot-agent", null, t.line, AGENT_LOGS_WEIGHT));
    }
  }
  return out;
}

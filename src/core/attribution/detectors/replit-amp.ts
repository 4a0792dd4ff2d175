import { makeSignal } from "../make-signal.ts";
import type { Signal } from "../signals.ts";
import type { CommitView } from "./commit-view.ts";

export const REPLIT_WEIGHT = 0.9;
export const AMP_THREAD_WEIGHT = 0.9;

const REPLIT_AUTHOR = /^(agent|assistant)$/i;
const AMP_THREAD = /^(?:https:\/\/ampcode\.com\/threads\/)?T-[0-9a-f-]{8,}$/i;

/** `Replit-Commit-Author: Agent|Assistant` and `Amp-Thread-ID: https://ampcode.com/threads/T-…`. */
export function detectReplitAmp(view: CommitView): Signal[] {
  const out: Signal[] = [];
  for (const t of view.message.trailers) {
    if (t.key === "replit-commit-author" && REPLIT_AUTHOR.test(t.value)) {
      out.push(makeSignal("replit-trailer", "replit", null, t.line, REPLIT_WEIGHT));
    } else if (t.key === "amp-thread-id" && AMP_THREAD.test(t.value)) {
      out.push(makeSignal("amp-trailer", "amp", null, t.line, AMP_THREAD_WEIGHT));
    }
  }
  return out;
}

import { CHURN_WINDOWS_DAYS, groupFates } from "./figures.ts";
import type { LineLedger } from "./ledger.ts";

// What line_survival stores: per commit and file, the lines the commit added and their fate at
// the history's tip, with no verdict (who wrote them is joined from code_attribution when read).

const DAY = 86_400;

export interface FileFate {
  sha: string;
  path: string;
  /** Committer time of the commit that added the lines, Unix seconds. */
  time: number;
  added: number;
  /** Still in the tip revision. */
  present: number;
  /** Deleted or rewritten by a commit at most 14 / 30 / 90 days after (a negative gap counts as 0). */
  churned: [number, number, number];
}

/**
 * Every commit-file of the walk with added lines, and their fate as of `tip`. Classifies the
 * ledger with one verdict for all lines (a ledger classified already must not be passed).
 */
export function fileFates(ledger: LineLedger, tip: string): FileFate[] {
  ledger.classify(() => ({ lineClass: "unknown", tool: null, tier: null }));
  const out = new Map<string, FileFate>();
  for (const fate of groupFates(ledger, tip)) {
    // One group per commit and path; a path the commit touched twice (a merge naming it against
    // two parents) is one group too, but keep the sum safe.
    const key = `${fate.sha}\u0000${fate.path}`;
    let row = out.get(key);
    if (row === undefined) {
      row = { sha: fate.sha, path: fate.path, time: fate.time, added: 0, present: 0, churned: [0, 0, 0] };
      out.set(key, row);
    }
    row.added += fate.added;
    row.present += fate.present;
    for (const d of fate.deaths) {
      const gap = d.time - fate.time;
      CHURN_WINDOWS_DAYS.forEach((days, w) => {
        if (gap <= days * DAY) row.churned[w] = (row.churned[w] as number) + d.lines;
      });
    }
  }
  return [...out.values()];
}

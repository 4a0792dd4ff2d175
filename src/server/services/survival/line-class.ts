import { sql } from "drizzle-orm";

// Who wrote a line_survival row's lines: the plurality verdict of its code_attribution row (`a`),
// the rule `sentinel analyze` applies to a file without line-level records (ties go to AI, then
// human); no attribution row (a merge's own lines, a commit not attributed) is unknown.
export const LINE_CLASS = sql`(CASE
  WHEN a.id IS NULL THEN 'unknown'
  WHEN a.ai_lines > 0 AND a.ai_lines >= a.human_lines AND a.ai_lines >= a.unknown_lines THEN 'ai'
  WHEN a.human_lines > 0 AND a.human_lines >= a.unknown_lines THEN 'human'
  ELSE 'unknown' END)`;

/** Joins each line_survival row `s` to its file's attribution `a`. */
export const ATTRIBUTION_JOIN = sql`LEFT JOIN code_attribution a
  ON a.repo_id = s.repo_id AND a.commit_sha = s.commit_sha AND a.file_path = s.file_path`;

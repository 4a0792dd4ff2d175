import type { NewCodeEvent } from "../services/github/code-events.ts";
import { parseTime, person, urlOrNull } from "./event-mapping.ts";

// REST API shapes (GET /repos/{o}/{r}/commits, /compare) → commit events. The API, unlike the
// push payload, gives parents and logins.

export interface ApiCommit {
  sha: string;
  html_url?: string | null;
  commit: {
    message: string;
    author: { name?: string | null; email?: string | null; date?: string | null } | null;
    committer: { name?: string | null; email?: string | null; date?: string | null } | null;
  };
  author: { login: string } | null;
  committer: { login: string } | null;
  parents: { sha: string }[];
  stats?: { additions?: number; deletions?: number };
  files?: unknown[];
}

export function commitEventFromApi(
  repoId: string,
  branch: string | null,
  c: ApiCommit,
  source: "push" | "backfill",
): NewCodeEvent | null {
  if (!/^[0-9a-f]{40}$/.test(c.sha)) return null;
  const author = c.commit.author ?? {};
  const committer = c.commit.committer ?? {};
  return {
    repoId,
    eventType: "commit",
    commitSha: c.sha,
    timestamp: parseTime(author.date ?? committer.date, "commit.author.date"),
    actor: (c.author?.login ?? author.name ?? null)?.slice(0, 100) ?? null,
    sourceKey: c.sha,
    metadata: {
      message: c.commit.message.slice(0, 100_000),
      author: person({ name: author.name, email: author.email, login: c.author?.login }),
      committer: person({ name: committer.name, email: committer.email, login: c.committer?.login }),
      parents: c.parents
        .map((p) => p.sha)
        .filter((s) => /^[0-9a-f]{40}$/.test(s))
        .slice(0, 64),
      branch: branch?.slice(0, 255) ?? null,
      additions: c.stats?.additions ?? null,
      deletions: c.stats?.deletions ?? null,
      filesChanged: c.files ? c.files.length : null,
      url: urlOrNull(c.html_url),
      source,
    },
  };
}

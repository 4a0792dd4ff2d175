import { formatBytes } from "../../core/format-bytes.ts";
import { useApiQuery } from "../api/hooks.ts";
import type { RepositorySync } from "../api/types.ts";
import { formatDuration, formatNumber, formatRelative } from "../format.ts";
import { Badge, Card } from "./ui.tsx";

// How a repository's history reaches Sentinel: the import of its past (the backfill), shown as a
// progress bar while it runs, and its git mirror's size on disk. Polled while an import runs.

const PHASES: Record<string, string> = {
  pulls: "importing pull requests",
  commits: "reading commits",
  deployments: "importing deployments",
};

const isActive = (sync: RepositorySync | undefined) =>
  sync?.backfill.status === "queued" || sync?.backfill.status === "running";

/** Refetch every 2 s while an import runs, and not at all after. */
export const pollWhileImporting = (data: RepositorySync | { items: RepositorySync[] } | undefined) =>
  (data && "items" in data ? data.items.some(isActive) : isActive(data)) ? 2000 : false;

/** The import's state in one line, with a progress bar while commits are read. */
export function BackfillProgress({ sync }: { sync: RepositorySync }) {
  const { backfill } = sync;
  if (backfill.status === null) return <span className="muted">not imported</span>;
  const total = backfill.commitsTotal;
  const share = total && total > 0 ? Math.min(1, backfill.commitsDone / total) : null;
  const from =
    backfill.source === "git" ? "from git" : backfill.source === "rest" ? "through GitHub's API" : null;
  const label =
    backfill.status === "queued"
      ? "queued"
      : backfill.status === "done"
        ? `${formatNumber(backfill.commitsDone)} commits imported${backfill.finishedAt ? ` ${formatRelative(backfill.finishedAt)}` : ""}`
        : backfill.status === "failed"
          ? "failed, retrying"
          : backfill.phase === "commits"
            ? total !== null
              ? `${formatNumber(backfill.commitsDone)} of ${formatNumber(total)} commits`
              : `${formatNumber(backfill.commitsDone)} commits`
            : (PHASES[backfill.phase ?? ""] ?? "running");
  return (
    <span className="import-progress" data-testid="backfill-progress">
      {backfill.status === "running" && backfill.phase === "commits" && share !== null ? (
        <progress
          className="import-bar"
          max={total ?? 0}
          value={backfill.commitsDone}
          aria-label={`History import: ${label}`}
        />
      ) : null}
      <span>
        {backfill.status === "failed" ? <Badge tone="sev2">{label}</Badge> : label}
        {backfill.status === "running" && backfill.secondsLeft !== null
          ? ` · about ${formatDuration(backfill.secondsLeft)} left`
          : ""}
        {from && backfill.status !== "queued" ? <span className="muted"> · {from}</span> : null}
      </span>
      {backfill.status === "failed" && backfill.error ? (
        <span className="muted small">{backfill.error}</span>
      ) : null}
      {backfill.source === "rest" && backfill.reason ? (
        <span className="muted small">{backfill.reason}</span>
      ) : null}
    </span>
  );
}

/** The mirror's size and last fetch, or why there is none. */
export function MirrorState({ sync }: { sync: RepositorySync }) {
  const { mirror } = sync;
  if (mirror.status === "ready")
    return (
      <span>
        {formatBytes(mirror.bytes ?? 0)}
        <span className="muted"> · fetched {formatRelative(mirror.fetchedAt)}</span>
      </span>
    );
  if (mirror.status === null) return <span className="muted">none yet</span>;
  return (
    <span title={mirror.reason ?? undefined}>
      <Badge tone="sev3">
        {mirror.status === "too_large" ? "too large: read through the API" : "unavailable"}
      </Badge>
    </span>
  );
}

/** On the repository's page while its history is being imported (or the import failed). */
export function ImportBanner({ repositoryId }: { repositoryId: string }) {
  const query = useApiQuery<RepositorySync>(`/repositories/${repositoryId}/sync`, undefined, {
    refetchInterval: (q) => pollWhileImporting(q.state.data),
  });
  const sync = query.data;
  if (
    !sync ||
    (sync.backfill.status !== "queued" &&
      sync.backfill.status !== "running" &&
      sync.backfill.status !== "failed")
  )
    return null;
  return (
    <Card title="Importing history" id="history-import">
      <p className="muted small">
        Sentinel is reading this repository's past commits
        {sync.backfill.since ? ` since ${sync.backfill.since.slice(0, 10)}` : ""}; the figures below fill in
        as it goes.
      </p>
      <BackfillProgress sync={sync} />
    </Card>
  );
}

import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { RISK_TIERS } from "../../core/enums.ts";
import { useActorName, useApiMutation, useApiQuery, useHasRole, useOrgSlug } from "../api/hooks.ts";
import type { Attribution, Commit, DetectionSignals, FileSurvival } from "../api/types.ts";
import { Empty, ErrorState, InlineError, Loading } from "../components/states.tsx";
import {
  Badge,
  Card,
  ConfidenceMeter,
  LineSplit,
  PageHeader,
  TierBadge,
  useFocusOnMount,
} from "../components/ui.tsx";
import { formatDateTime, formatPercent, shortSha, tierLabel } from "../format.ts";

export default function CommitPage() {
  const { repositoryId = "", sha = "" } = useParams();
  const slug = useOrgSlug();
  const canOverride = useHasRole("member");
  const commit = useApiQuery<Commit>(`/commits/${sha}`, { repositoryId });
  const [overriding, setOverriding] = useState<{ filePath: string | null } | null>(null);

  if (commit.isPending) return <Loading label="Loading commit…" />;
  if (commit.error || !commit.data)
    return <ErrorState error={commit.error} onRetry={() => commit.refetch()} />;
  const c = commit.data;
  const [subject, ...body] = (c.message ?? "").split("\n");
  return (
    <div className="page" data-testid="commit-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={`/o/${slug}/repositories/${repositoryId}`}>Repository</Link> / commit{" "}
        <code>{shortSha(c.sha)}</code>
      </nav>
      <PageHeader
        title={subject || shortSha(c.sha)}
        subtitle={
          <>
            <code>{c.sha}</code> · {c.author ?? "unknown author"} · {formatDateTime(c.committedAt)}
          </>
        }
        actions={
          canOverride ? (
            <button type="button" className="button" onClick={() => setOverriding({ filePath: null })}>
              Override commit verdict
            </button>
          ) : (
            <span className="muted small">Viewers cannot override verdicts.</span>
          )
        }
      />
      {body.join("\n").trim() ? <pre className="commit-body">{body.join("\n").trim()}</pre> : null}
      <div className="stats">
        <div className="stat">
          <div className="stat-label">AI confidence</div>
          <div className="stat-value">{formatPercent(c.aiConfidence)}</div>
        </div>
        <div className="stat">
          <div className="stat-label">Tool</div>
          <div className="stat-value stat-text">{c.tool ?? "—"}</div>
          {c.model ? <div className="stat-hint">{c.model}</div> : null}
        </div>
        <div className="stat">
          <div className="stat-label">Files</div>
          <div className="stat-value">{c.files.length}</div>
        </div>
        {c.survival.some((f) => f.lineClass === "ai") ? (
          <div className="stat" data-testid="ai-lines-surviving">
            <div className="stat-label">AI lines still in the code</div>
            <div className="stat-value">
              {c.survival.reduce((n, f) => n + f.aiLinesPresent, 0)} /{" "}
              {c.survival.reduce((n, f) => n + (f.lineClass === "ai" ? f.linesAdded : 0), 0)}
            </div>
            <div className="stat-hint">at the repository's tip</div>
          </div>
        ) : null}
        <div className="stat">
          <div className="stat-label">AI lines / added</div>
          <div className="stat-value">
            {c.files.reduce((n, f) => n + f.aiLines, 0)} / {c.files.reduce((n, f) => n + f.linesAdded, 0)}
          </div>
        </div>
      </div>
      {overriding ? (
        <OverrideForm commit={c} filePath={overriding.filePath} onDone={() => setOverriding(null)} />
      ) : null}
      <Card title="Files">
        {c.files.length === 0 ? (
          <Empty title="No analysed files in this commit." />
        ) : (
          <table className="table" data-testid="commit-files">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Tier</th>
                <th scope="col">AI confidence</th>
                <th scope="col">Method</th>
                <th scope="col">Lines</th>
                <th scope="col">Tool</th>
                <th scope="col">Still in the code</th>
                {canOverride ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {c.files.map((file) => (
                <FileRow
                  key={file.id}
                  file={file}
                  survival={c.survival.find((s) => s.path === file.filePath)}
                  canOverride={canOverride}
                  onOverride={() => setOverriding({ filePath: file.filePath })}
                />
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}

function FileRow({
  file,
  survival,
  canOverride,
  onOverride,
}: {
  file: Attribution;
  survival: FileSurvival | undefined;
  canOverride: boolean;
  onOverride: () => void;
}) {
  const signals = file.detectionSignals as DetectionSignals | null;
  return (
    <>
      <tr>
        <td className="path">{file.filePath}</td>
        <td>
          <TierBadge tier={file.riskTier} />
        </td>
        <td>
          <ConfidenceMeter value={file.aiConfidence} />
        </td>
        <td>
          {file.detectionMethod ? (
            <Badge tone={file.detectionMethod === "manual_override" ? "override" : "neutral"}>
              {file.detectionMethod.replace("_", " ")}
            </Badge>
          ) : (
            <span className="muted">no evidence</span>
          )}
        </td>
        <td>
          <LineSplit ai={file.aiLines} human={file.humanLines} unknown={file.unknownLines} />
        </td>
        <td>
          {file.tool ?? <span className="muted">—</span>}
          {file.model ? <div className="muted small">{file.model}</div> : null}
        </td>
        <td data-testid="file-survival">
          <SurvivalCell survival={survival} />
        </td>
        {canOverride ? (
          <td>
            <button
              type="button"
              className="button button-small"
              onClick={onOverride}
              aria-label={`Override ${file.filePath}`}
            >
              Override
            </button>
          </td>
        ) : null}
      </tr>
      <tr className="signals-row">
        <td colSpan={canOverride ? 8 : 7}>
          <details>
            <summary>
              Signals ({signals?.signals?.length ?? 0})
              {signals?.tierReason ? ` · tier: ${signals.tierReason}` : ""}
            </summary>
            <Signals signals={signals} />
          </details>
        </td>
      </tr>
    </>
  );
}

/** What became of the file's added lines at the tip: its AI lines when the file is AI's. */
function SurvivalCell({ survival }: { survival: FileSurvival | undefined }) {
  if (!survival) return <span className="muted">—</span>;
  const churned = survival.linesAdded - survival.linesPresent;
  const label = survival.lineClass === "ai" ? "AI lines" : `${survival.lineClass} lines`;
  return (
    <span
      title={`${churned} deleted or rewritten; ${survival.churned14d} within 14 days, ${survival.churned90d} within 90`}
    >
      {survival.linesPresent} of {survival.linesAdded} {label}
      <div className="muted small">{formatPercent(survival.linesPresent / survival.linesAdded)} survive</div>
    </span>
  );
}

function Signals({ signals }: { signals: DetectionSignals | null }) {
  const actorName = useActorName();
  if (!signals) return <p className="muted">No signals recorded.</p>;
  return (
    <div className="signals">
      {signals.override ? (
        <p className="override-note">
          Overridden by {actorName(signals.override.actor)} on {formatDateTime(signals.override.at)}: “
          {signals.override.reason}”
        </p>
      ) : null}
      {signals.signals?.length ? (
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Detector</th>
              <th scope="col">Weight</th>
              <th scope="col">Tool / model</th>
              <th scope="col">Evidence</th>
            </tr>
          </thead>
          <tbody>
            {signals.signals.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: signals have no id and never reorder
              <tr key={i}>
                <td>
                  <code>{s.detector}</code>
                </td>
                <td>{formatPercent(s.weight)}</td>
                <td>{[s.tool, s.model].filter(Boolean).join(" · ") || "—"}</td>
                <td className="evidence">
                  {s.evidence}
                  {s.commitSha ? <span className="muted small"> (from {shortSha(s.commitSha)})</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No detector fired.</p>
      )}
      <p className="muted small">
        Engine {signals.engineVersion}
        {signals.model
          ? ` · model ${signals.model.version} scored ${formatPercent(signals.model.score)}`
          : ""}
        {signals.lines
          ? ` · lines ${signals.lines.ai} AI / ${signals.lines.human} human / ${signals.lines.unknown} unknown`
          : ""}
      </p>
    </div>
  );
}

function OverrideForm({
  commit,
  filePath,
  onDone,
}: {
  commit: Commit;
  filePath: string | null;
  onDone: () => void;
}) {
  const mutation = useApiMutation<{
    repositoryId: string;
    commitSha: string;
    filePath: string | null;
    verdict: "ai" | "human";
    riskTier?: string;
    reason: string;
  }>("POST", "/attributions/override");
  const [verdict, setVerdict] = useState<"ai" | "human">("human");
  const reasonRef = useFocusOnMount<HTMLTextAreaElement>();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const riskTier = String(form.get("riskTier") ?? "");
    mutation.mutate(
      {
        repositoryId: commit.repositoryId,
        commitSha: commit.sha,
        filePath,
        verdict,
        ...(riskTier ? { riskTier } : {}),
        reason: String(form.get("reason") ?? "").trim(),
      },
      { onSuccess: onDone },
    );
  }

  return (
    <Card
      title={filePath ? `Override ${filePath}` : "Override the whole commit"}
      className="card-highlight"
      id="override"
    >
      <form className="form form-inline-grid" onSubmit={submit} aria-label="Override attribution">
        <fieldset className="segmented">
          <legend>Verdict</legend>
          {(["ai", "human"] as const).map((v) => (
            <label key={v} className={verdict === v ? "active" : ""}>
              <input
                type="radio"
                name="verdict"
                value={v}
                checked={verdict === v}
                onChange={() => setVerdict(v)}
              />
              {v === "ai" ? "Written by AI" : "Written by a person"}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>Risk tier</span>
          <select name="riskTier" defaultValue="">
            <option value="">Keep the computed tier</option>
            {RISK_TIERS.map((t) => (
              <option key={t} value={t}>
                {tierLabel(t)}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-wide">
          <span>Reason (kept in the audit log)</span>
          <textarea name="reason" required minLength={3} rows={2} ref={reasonRef} />
        </label>
        <InlineError error={mutation.error} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={mutation.isPending}>
            {mutation.isPending ? "Saving…" : "Save override"}
          </button>
          <button type="button" className="button button-ghost" onClick={onDone}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}

import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { INCIDENT_SEVERITIES } from "../../core/enums.ts";
import { useActorName, useApiMutation, useApiQuery, useHasRole, useOrgSlug } from "../api/hooks.ts";
import type { IncidentDetail, IncidentStatus } from "../api/types.ts";
import { Empty, ErrorState, InlineError, Loading } from "../components/states.tsx";
import {
  Card,
  ConfidenceMeter,
  PageHeader,
  SeverityBadge,
  StatusBadge,
  TierBadge,
} from "../components/ui.tsx";
import { formatDateTime, formatDuration, formatNumber, formatPercent, shortSha } from "../format.ts";

const NEXT_STATUS: Record<IncidentStatus, { status: IncidentStatus; label: string }[]> = {
  investigating: [
    { status: "identified", label: "Mark identified" },
    { status: "resolved", label: "Resolve" },
  ],
  identified: [{ status: "resolved", label: "Resolve" }],
  resolved: [{ status: "investigating", label: "Reopen" }],
};

export default function IncidentPage() {
  const { incidentId = "" } = useParams();
  const slug = useOrgSlug();
  const canEdit = useHasRole("member");
  const query = useApiQuery<IncidentDetail>(`/incidents/${incidentId}`);
  const update = useApiMutation<Record<string, string>>("PATCH", `/incidents/${incidentId}`);
  const [editing, setEditing] = useState(false);
  const actorName = useActorName();

  if (query.isPending) return <Loading label="Loading incident…" />;
  if (query.error || !query.data) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  const incident = query.data;
  const repoLink = incident.repositoryId ? `/o/${slug}/repositories/${incident.repositoryId}` : null;
  const duration =
    incident.resolvedAt !== null
      ? formatDuration(
          (new Date(incident.resolvedAt).getTime() - new Date(incident.startedAt).getTime()) / 1000,
        )
      : null;

  return (
    <div className="page" data-testid="incident-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={`/o/${slug}/incidents`}>Incidents</Link> / {incident.title}
      </nav>
      <PageHeader
        title={
          <>
            <SeverityBadge severity={incident.severity} /> {incident.title}
          </>
        }
        subtitle={
          <>
            <StatusBadge status={incident.status} /> Started {formatDateTime(incident.startedAt)}
            {duration ? ` · resolved after ${duration}` : ""} · source {incident.source}
          </>
        }
        actions={
          canEdit ? (
            <div className="button-row">
              {NEXT_STATUS[incident.status].map((next) => (
                <button
                  key={next.status}
                  type="button"
                  className={`button ${next.status === "resolved" ? "button-primary" : ""}`}
                  disabled={update.isPending}
                  onClick={() => update.mutate({ status: next.status })}
                >
                  {next.label}
                </button>
              ))}
              <button
                type="button"
                className="button button-ghost"
                onClick={() => setEditing((v) => !v)}
                aria-expanded={editing}
              >
                Edit
              </button>
            </div>
          ) : null
        }
      />
      <InlineError error={update.error} />
      {editing ? <EditIncident incident={incident} onDone={() => setEditing(false)} /> : null}
      {incident.description ? <p className="description">{incident.description}</p> : null}

      <div className="grid grid-3">
        <div className="stat">
          <div className="stat-label">AI share of the suspect change</div>
          <div className="stat-value">{formatPercent(incident.suspectAiShare)}</div>
          <div className="stat-hint">{formatNumber(incident.suspectLinesAdded)} lines added</div>
        </div>
        <div className="stat">
          <div className="stat-label">AI lines in T3/T4 code</div>
          <div className="stat-value">{formatNumber(incident.suspectAiLinesT3T4)}</div>
        </div>
        <div className="stat">
          <div className="stat-label">Linked by</div>
          <div className="stat-value stat-text">{incident.linkMethod ?? "not linked"}</div>
        </div>
      </div>

      <div className="grid grid-1-2">
        <Card title="Timeline">
          <ol className="status-timeline" data-testid="incident-status-timeline">
            {incident.timeline.map((step, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the timeline is append-only
              <li key={i}>
                <StatusBadge status={step.status} />
                <span>{formatDateTime(step.at)}</span>
                {step.by ? <span className="muted small">by {actorName(step.by)}</span> : null}
              </li>
            ))}
          </ol>
        </Card>
        <Card title="What shipped before it">
          <div className="chain" data-testid="incident-chain">
            <div className="chain-step">
              <div className="chain-label">Deploy</div>
              {incident.deploy ? (
                <div>
                  <code>{shortSha(incident.deploy.sha)}</code> to{" "}
                  {incident.deploy.environment ?? "production"} at {formatDateTime(incident.deploy.timestamp)}
                </div>
              ) : (
                <div className="muted">
                  No deploy linked. Add the deploy SHA (Edit) or send deploy events from CI.
                </div>
              )}
            </div>
            {incident.commits.length === 0 ? (
              incident.deploy ? (
                <Empty title="The deploy carried no analysed commits." />
              ) : null
            ) : (
              incident.commits.map((commit) => (
                <div className="chain-step" key={commit.sha}>
                  <div className="chain-label">Commit</div>
                  <div className="chain-commit">
                    {repoLink ? (
                      <Link to={`${repoLink}/commits/${commit.sha}`}>
                        <code>{shortSha(commit.sha)}</code>
                      </Link>
                    ) : (
                      <code>{shortSha(commit.sha)}</code>
                    )}{" "}
                    {(commit.message ?? "").split("\n")[0]}
                    <div className="muted small">
                      {formatDateTime(commit.committedAt)} · {formatNumber(commit.aiLines)} of{" "}
                      {formatNumber(commit.linesAdded)} lines by AI
                    </div>
                  </div>
                  {commit.files.filter((f) => f.aiLines > 0).length > 0 ? (
                    <ul className="chain-files">
                      {commit.files
                        .filter((f) => f.aiLines > 0)
                        .map((f) => (
                          <li key={f.filePath}>
                            <TierBadge tier={f.riskTier} />
                            <span className="path grow">{f.filePath}</span>
                            <ConfidenceMeter value={f.aiConfidence} />
                            <span className="small">{formatNumber(f.aiLines)} AI lines</span>
                          </li>
                        ))}
                    </ul>
                  ) : (
                    <p className="muted small">No AI-written files.</p>
                  )}
                </div>
              ))
            )}
          </div>
        </Card>
      </div>
    </div>
  );
}

function EditIncident({ incident, onDone }: { incident: IncidentDetail; onDone: () => void }) {
  const mutation = useApiMutation<Record<string, string>>("PATCH", `/incidents/${incident.id}`);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    mutation.mutate(
      {
        title: String(form.get("title") ?? "").trim(),
        severity: String(form.get("severity")),
        description: String(form.get("description") ?? "").trim(),
      },
      { onSuccess: onDone },
    );
  }
  return (
    <Card title="Edit incident" className="card-highlight">
      <form className="form form-grid" onSubmit={submit} aria-label="Edit incident">
        <label className="field field-wide">
          <span>Title</span>
          <input name="title" defaultValue={incident.title} required maxLength={200} />
        </label>
        <label className="field">
          <span>Severity</span>
          <select name="severity" defaultValue={incident.severity}>
            {INCIDENT_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-wide">
          <span>Description</span>
          <textarea name="description" rows={3} defaultValue={incident.description ?? ""} />
        </label>
        <InlineError error={mutation.error} />
        <div className="form-actions field-wide">
          <button type="submit" className="button button-primary" disabled={mutation.isPending}>
            Save
          </button>
          <button type="button" className="button button-ghost" onClick={onDone}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}

import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES } from "../../core/enums.ts";
import { useApiMutation, useApiQuery, useHasRole, useOrgSlug } from "../api/hooks.ts";
import type { Incident, Page, Repository } from "../api/types.ts";
import { FilterBar, useQueryParams } from "../components/filters.tsx";
import { Empty, InlineError, QueryState } from "../components/states.tsx";
import { Card, PageHeader, SeverityBadge, StatusBadge, useFocusOnMount } from "../components/ui.tsx";
import {
  formatDate,
  formatDateTime,
  formatDuration,
  formatPercent,
  formatRelative,
  shortSha,
} from "../format.ts";

const TIMELINE_DAYS = 90;

export default function IncidentsPage() {
  const slug = useOrgSlug();
  const { get, set } = useQueryParams();
  const status = get("status");
  const repositoryId = get("repositoryId");
  const canCreate = useHasRole("member");
  const [creating, setCreating] = useState(false);
  const incidents = useApiQuery<Page<Incident>>("/incidents", { status, repositoryId, limit: 100 });
  const repositories = useApiQuery<{ items: Repository[] }>("/repositories");
  const repoName = new Map((repositories.data?.items ?? []).map((r) => [r.id, r.fullName]));

  return (
    <div className="page" data-testid="incidents-page">
      <PageHeader
        title="Incidents"
        subtitle="Each incident is linked to the deploy before it, its commits, and how much of them AI wrote."
        actions={
          canCreate ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => setCreating((v) => !v)}
              aria-expanded={creating}
            >
              New incident
            </button>
          ) : null
        }
      />
      {creating ? (
        <CreateIncident repositories={repositories.data?.items ?? []} onCancel={() => setCreating(false)} />
      ) : null}
      <FilterBar
        onClear={status || repositoryId ? () => set({ status: null, repositoryId: null }) : undefined}
      >
        <label className="field-inline">
          <span>Status</span>
          <select name="status" value={status} onChange={(e) => set({ status: e.target.value })}>
            <option value="">Any status</option>
            {INCIDENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>Repository</span>
          <select
            name="repositoryId"
            value={repositoryId}
            onChange={(e) => set({ repositoryId: e.target.value })}
          >
            <option value="">All repositories</option>
            {(repositories.data?.items ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.fullName}
              </option>
            ))}
          </select>
        </label>
      </FilterBar>
      <QueryState
        query={incidents}
        loadingLabel="Loading incidents…"
        isEmpty={(d) => d.items.length === 0}
        empty={
          <Card>
            <Empty title={status || repositoryId ? "No incidents match these filters." : "No incidents yet."}>
              <p>
                Incidents arrive from the API, a PagerDuty-style webhook, or GitHub issues labelled as
                incidents.
              </p>
            </Empty>
          </Card>
        }
      >
        {(data) => (
          <>
            <Card title={`Timeline · last ${TIMELINE_DAYS} days`}>
              <Timeline incidents={data.items} />
            </Card>
            <Card title="All incidents">
              <table className="table" data-testid="incident-list">
                <thead>
                  <tr>
                    <th scope="col">Severity</th>
                    <th scope="col">Title</th>
                    <th scope="col">Status</th>
                    <th scope="col">Repository</th>
                    <th scope="col">Started</th>
                    <th scope="col">Deploy</th>
                    <th scope="col" className="num">
                      AI share of suspect change
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((i) => (
                    <tr key={i.id}>
                      <td>
                        <SeverityBadge severity={i.severity} />
                      </td>
                      <td>
                        <Link to={`/o/${slug}/incidents/${i.id}`}>{i.title}</Link>
                      </td>
                      <td>
                        <StatusBadge status={i.status} />
                      </td>
                      <td>{i.repositoryId ? (repoName.get(i.repositoryId) ?? "—") : "—"}</td>
                      <td title={formatDateTime(i.startedAt)}>{formatRelative(i.startedAt)}</td>
                      <td>
                        {i.deploySha ? (
                          <code>{shortSha(i.deploySha)}</code>
                        ) : (
                          <span className="muted">not linked</span>
                        )}
                      </td>
                      <td className="num">{formatPercent(i.suspectAiShare)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
          </>
        )}
      </QueryState>
    </div>
  );
}

/** Incidents as bars from start to resolution on a shared time axis, newest window only. */
function Timeline({ incidents }: { incidents: Incident[] }) {
  const slug = useOrgSlug();
  const now = Date.now();
  const start = now - TIMELINE_DAYS * 86_400_000;
  const span = now - start;
  const visible = incidents.filter((i) => new Date(i.resolvedAt ?? now).getTime() >= start).slice(0, 30);
  if (visible.length === 0) return <Empty title="No incidents in this window." />;
  const pos = (t: number) => `${Math.max(0, Math.min(100, ((t - start) / span) * 100))}%`;
  return (
    <div className="timeline" data-testid="incident-timeline">
      <div className="timeline-axis" aria-hidden="true">
        <span />
        <span className="timeline-axis-labels">
          <span>{formatDate(new Date(start).toISOString())}</span>
          <span>{formatDate(new Date(start + span / 2).toISOString())}</span>
          <span>today</span>
        </span>
      </div>
      <ol className="timeline-rows">
        {visible.map((i) => {
          const from = new Date(i.startedAt).getTime();
          const to = new Date(i.resolvedAt ?? now).getTime();
          const left = pos(from);
          const width = `max(8px, calc(${pos(to)} - ${left}))`;
          const duration = i.resolvedAt ? formatDuration((to - from) / 1000) : "ongoing";
          return (
            <li key={i.id} className="timeline-row">
              <Link to={`/o/${slug}/incidents/${i.id}`} className="timeline-label" title={i.title}>
                {i.title}
              </Link>
              <span className="timeline-track">
                <span
                  className={`timeline-bar sev-${i.severity} ${i.resolvedAt ? "" : "open"}`}
                  style={{ left, width }}
                  title={`${i.severity.toUpperCase()} · ${formatDateTime(i.startedAt)} · ${duration}`}
                />
                <span className="visually-hidden">
                  {i.severity}, started {formatDateTime(i.startedAt)}, {duration}
                </span>
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function CreateIncident({ repositories, onCancel }: { repositories: Repository[]; onCancel: () => void }) {
  const slug = useOrgSlug();
  const navigate = useNavigate();
  const mutation = useApiMutation<Record<string, string>, Incident>("POST", "/incidents");
  const titleRef = useFocusOnMount<HTMLInputElement>();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, string> = {};
    for (const [key, value] of form.entries()) {
      const text = String(value).trim();
      if (text) body[key] = text;
    }
    // The datetime-local field is in the viewer's zone; the API wants an instant.
    if (body.startedAt) body.startedAt = new Date(body.startedAt).toISOString();
    mutation.mutate(body, { onSuccess: (incident) => navigate(`/o/${slug}/incidents/${incident.id}`) });
  }

  return (
    <Card title="New incident" className="card-highlight">
      <form className="form form-grid" onSubmit={submit} aria-label="New incident">
        <label className="field field-wide">
          <span>Title</span>
          <input
            name="title"
            required
            maxLength={200}
            ref={titleRef}
            placeholder="Checkout returns 500 for EU cards"
          />
        </label>
        <label className="field">
          <span>Severity</span>
          <select name="severity" defaultValue="sev2">
            {INCIDENT_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Repository</span>
          <select name="repositoryId" defaultValue="">
            <option value="">Not known yet</option>
            {repositories.map((r) => (
              <option key={r.id} value={r.id}>
                {r.fullName}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Started at (your time)</span>
          <input name="startedAt" type="datetime-local" />
        </label>
        <label className="field">
          <span>Deploy SHA (optional)</span>
          <input
            name="deploySha"
            pattern="[0-9a-fA-F]{7,40}"
            placeholder="links to the deploy before it if empty"
          />
        </label>
        <label className="field field-wide">
          <span>Description</span>
          <textarea name="description" rows={3} />
        </label>
        <InlineError error={mutation.error} />
        <div className="form-actions field-wide">
          <button type="submit" className="button button-primary" disabled={mutation.isPending}>
            {mutation.isPending ? "Creating…" : "Create incident"}
          </button>
          <button type="button" className="button button-ghost" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}

import { useApiMutation, useApiQuery, useHasRole } from "../api/hooks.ts";
import { formatDateTime } from "../format.ts";
import { InlineError, QueryState } from "./states.tsx";
import { Badge, Card } from "./ui.tsx";

// The Settings card of the ml_model: which model (if any) the engine uses, how it measured on
// repositories it never saw, and, for admins, "Train model" (POST /api/v1/model/train).

interface ModelSummary {
  version: string;
  scope: "organization" | "global";
  active: boolean;
  createdAt: string;
  threshold: number;
  trainedOn: { ai: number; human: number; repositories: number };
  heldOut: { auroc: number | null; falsePositiveRate: number | null; truePositiveRate: number | null };
  repositoriesHeldOut: { falsePositiveRate: number | null; truePositiveRate: number | null } | null;
  activation: { recommended: boolean; reason: string } | null;
}

export interface ModelStatus {
  state: "never" | "queued" | "trained" | "skipped" | "failed";
  requestedAt: string | null;
  finishedAt: string | null;
  details: Record<string, unknown> | null;
  active: ModelSummary | null;
  latest: ModelSummary | null;
}

const pct = (x: number | null | undefined) => (x == null ? "n/a" : `${(100 * x).toFixed(1)}%`);

function outcome(status: ModelStatus): string {
  const d = status.details ?? {};
  switch (status.state) {
    case "never":
      return "Never trained here.";
    case "queued":
      return `Training requested ${status.requestedAt ? formatDateTime(status.requestedAt) : ""}; a worker will pick it up.`;
    case "trained":
      return `Last training finished ${status.finishedAt ? formatDateTime(status.finishedAt) : ""}: ${
        d.active ? "the new model is active." : "stored, not activated (its figures miss the bar)."
      }`;
    case "skipped":
      return `Last training did not run: ${typeof d.reason === "string" ? d.reason : "too few labels"}${
        typeof d.ai === "number"
          ? ` (${d.ai} AI and ${String(d.human)} human files; ${String(d.required)} of each needed)`
          : ""
      }.`;
    case "failed":
      return "Last training failed; the previous model, if any, is unchanged.";
  }
}

function ModelFigures({ model, label }: { model: ModelSummary; label: string }) {
  return (
    <div className="model-figures" data-testid={`model-${label}`}>
      <p>
        <strong>{label}:</strong> <code>{model.version}</code>{" "}
        {model.active ? <Badge tone="ok">active</Badge> : <Badge>inactive</Badge>}{" "}
        {model.scope === "global" ? <Badge>global</Badge> : null}
      </p>
      <p className="muted small">
        Trained {formatDateTime(model.createdAt)} on {model.trainedOn.ai} AI and {model.trainedOn.human} human
        files from {model.trainedOn.repositories} repositories. On repositories it never saw:{" "}
        {model.repositoriesHeldOut
          ? `${pct(model.repositoriesHeldOut.falsePositiveRate)} of human files flagged, ${pct(model.repositoriesHeldOut.truePositiveRate)} of AI files caught`
          : "not measured (one repository)"}
        .
      </p>
      {model.activation ? <p className="muted small">{model.activation.reason}</p> : null}
    </div>
  );
}

export function ModelTrainingCard() {
  const isAdmin = useHasRole("admin");
  const query = useApiQuery<ModelStatus>("/model", undefined, {
    refetchInterval: (q) => (q.state.data?.state === "queued" ? 5000 : false),
  });
  const train = useApiMutation<Record<string, never>, ModelStatus>("POST", "/model/train");
  return (
    <Card title="Attribution model" id="model">
      <QueryState query={query}>
        {(status) => (
          <div data-testid="model-training">
            <p className="muted small">
              The model guesses AI authorship of files no trailer or record explains. It switches itself on
              only when, on repositories it never saw, at most 1% of human files reach its threshold.
            </p>
            {status.active ? (
              <ModelFigures model={status.active} label="In use" />
            ) : (
              <p>
                <Badge>off</Badge> No model is in use: files without evidence stay unattributed.
              </p>
            )}
            {status.latest && status.latest.version !== status.active?.version ? (
              <ModelFigures model={status.latest} label="Latest trained" />
            ) : null}
            <p role="status">{outcome(status)}</p>
            {isAdmin ? (
              <div className="actions">
                <button
                  type="button"
                  disabled={train.isPending || status.state === "queued"}
                  onClick={() => train.mutate({})}
                >
                  {status.state === "queued" ? "Training queued…" : "Train model"}
                </button>
                <span className="muted small">
                  Reads the repository histories the server mirrors; takes a few minutes on a worker.
                </span>
                <InlineError error={train.error} />
              </div>
            ) : null}
          </div>
        )}
      </QueryState>
    </Card>
  );
}

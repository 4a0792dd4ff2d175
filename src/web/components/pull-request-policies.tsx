import { type FormEvent, useState } from "react";
import { describePolicyIssues, type PolicySet, policySetSchema } from "../../core/policies/schema.ts";
import { useApiMutation, useApiQuery, useHasRole } from "../api/hooks.ts";
import type { Organization } from "../api/types.ts";
import { tierLabel } from "../format.ts";
import { InlineError, QueryState } from "./states.tsx";
import { Badge, Card } from "./ui.tsx";

// The Settings card of the organization's pull request policies (docs/checks.md): what Sentinel's
// check on every PR decides by. Admins edit the JSON document; it is checked here with the server's
// own schema before it is sent, and the server checks it again. Saving re-runs open PRs' checks.

const EXAMPLE: PolicySet = {
  sensitivePaths: ["src/payments/**"],
  policies: [
    { kind: "codeowner-review", tiers: ["T4_novel"], conclusion: "failure" },
    { kind: "ai-lines-in-paths", paths: ["src/payments/**"], maxAiLines: 50, conclusion: "neutral" },
    { kind: "evidence-required", minLines: 400, conclusion: "notice" },
  ],
};

function describe(policy: PolicySet["policies"][number]): string {
  switch (policy.kind) {
    case "codeowner-review":
      return `AI-written lines in ${policy.tiers.map(tierLabel).join(", ")} need an approving review from a CODEOWNER`;
    case "ai-lines-in-paths":
      return `At most ${policy.maxAiLines} AI-written lines in ${policy.paths.join(", ")}`;
    case "evidence-required":
      return `A change over ${policy.minLines} added lines needs some evidence of who wrote it`;
  }
}

export function PullRequestPoliciesCard() {
  const query = useApiQuery<Organization>("/organization");
  const isAdmin = useHasRole("admin");
  return (
    <Card title="Pull request policies" id="policies">
      <QueryState query={query}>
        {(o) => (
          <PoliciesForm
            key={JSON.stringify(o.settings.pullRequestPolicies ?? null)}
            current={o.settings.pullRequestPolicies ?? null}
            editable={isAdmin}
          />
        )}
      </QueryState>
    </Card>
  );
}

function PoliciesForm({ current, editable }: { current: PolicySet | null; editable: boolean }) {
  const mutation = useApiMutation<{ pullRequestPolicies: PolicySet | null }>(
    "PATCH",
    "/organization/settings",
  );
  const [text, setText] = useState(JSON.stringify(current ?? EXAMPLE, null, 2));
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  function save(value: PolicySet | null) {
    setSaved(false);
    mutation.mutate({ pullRequestPolicies: value }, { onSuccess: () => setSaved(true) });
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      setProblem(`Not JSON: ${(error as Error).message}`);
      return;
    }
    const parsed = policySetSchema.safeParse(json);
    if (!parsed.success) {
      setProblem(describePolicyIssues(parsed.error));
      return;
    }
    setProblem(null);
    save(parsed.data);
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Pull request policies">
      <p className="muted small">
        Sentinel puts a check on every pull request's head commit: the AI share of its added lines, by tool
        and tier, and each file with AI-written lines in T3/T4 or in a sensitive path, with the evidence. The
        check's conclusion follows these policies; with none set it is neutral and informative. Repositories
        can override them. Saving runs the open pull requests' checks again.
      </p>
      {current === null ? (
        <p data-testid="policies-state">
          <Badge>none set</Badge> The example below is not in force until saved.
        </p>
      ) : (
        <ul data-testid="policies-state">
          {current.policies.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: policies have no identity but their place
            <li key={i}>
              <Badge
                tone={p.conclusion === "failure" ? "sev1" : p.conclusion === "neutral" ? "sev3" : "muted"}
              >
                {p.conclusion}
              </Badge>{" "}
              {describe(p)}
            </li>
          ))}
          {current.sensitivePaths.length > 0 ? (
            <li>Sensitive paths: {current.sensitivePaths.join(", ")}</li>
          ) : null}
        </ul>
      )}
      <label className="field">
        <span>Policy document (JSON, docs/checks.md)</span>
        <textarea
          style={{ fontFamily: "ui-monospace, monospace" }}
          rows={14}
          spellCheck={false}
          value={text}
          disabled={!editable}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      {problem ? (
        <p className="inline-error" role="alert">
          {problem}
        </p>
      ) : null}
      <InlineError error={mutation.error} />
      {editable ? (
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={mutation.isPending}>
            {mutation.isPending ? "Saving…" : "Save policies"}
          </button>
          {current !== null ? (
            <button type="button" className="button" disabled={mutation.isPending} onClick={() => save(null)}>
              Remove policies
            </button>
          ) : null}
          {saved ? (
            <span className="success" role="status">
              Saved.
            </span>
          ) : null}
        </div>
      ) : (
        <p className="muted small">Only admins change policies.</p>
      )}
    </form>
  );
}

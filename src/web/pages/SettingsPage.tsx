import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { MEMBER_ROLES, RISK_TIERS } from "../../core/enums.ts";
import { API_KEY_SCOPES } from "../../core/permissions.ts";
import { apiRequest } from "../api/client.ts";
import {
  useApiMutation,
  useApiQuery,
  useCurrentOrg,
  useDashboardConfig,
  useHasRole,
  useMe,
  useOrgSlug,
} from "../api/hooks.ts";
import type {
  ApiKey,
  CreatedApiKey,
  CreatedInvitation,
  Installation,
  Invitation,
  Member,
  Organization,
  OrgSettings,
  RepositorySync,
  TierRule,
} from "../api/types.ts";
import { BackfillProgress, MirrorState, pollWhileImporting } from "../components/history-import.tsx";
import { ModelTrainingCard } from "../components/model-training.tsx";
import { PullRequestPoliciesCard } from "../components/pull-request-policies.tsx";
import { Empty, InlineError, QueryState } from "../components/states.tsx";
import { Badge, Card, PageHeader } from "../components/ui.tsx";
import { formatDate, formatDateTime, formatRelative, tierLabel } from "../format.ts";

export default function SettingsPage() {
  const org = useCurrentOrg();
  const isAdmin = useHasRole("admin");
  const isOwner = useHasRole("owner");
  return (
    <div className="page" data-testid="settings-page">
      <PageHeader
        title="Settings"
        subtitle={org ? `${org.name} · you are ${article(org.role)} ${org.role}` : undefined}
      />
      <nav aria-label="Settings sections" className="subnav">
        <a href="#organization">Organization</a>
        <a href="#detection">AI detection</a>
        <a href="#model">Attribution model</a>
        <a href="#policies">Pull request policies</a>
        <a href="#members">Members</a>
        {isAdmin ? <a href="#invitations">Invitations</a> : null}
        {isAdmin ? <a href="#api-keys">API keys</a> : null}
        <a href="#github">GitHub</a>
        <a href="#history">Repository history</a>
        <a href="#account">Your account</a>
        {isOwner ? <a href="#danger-zone">Danger zone</a> : null}
      </nav>
      <OrganizationSection />
      <DetectionSection />
      <ModelTrainingCard />
      <PullRequestPoliciesCard />
      <MembersSection />
      {isAdmin ? <InvitationsSection /> : null}
      {isAdmin ? <ApiKeysSection /> : null}
      <GithubSection />
      <HistorySection />
      <AccountSection />
      {isOwner ? <DangerZoneSection /> : null}
    </div>
  );
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

function AdminOnly() {
  return <p className="muted small">Only admins and owners can change this.</p>;
}

function OrganizationSection() {
  const query = useApiQuery<Organization>("/organization");
  return (
    <Card title="Organization and plan" id="organization">
      <QueryState query={query}>
        {(o) => (
          <dl className="facts">
            <dt>Name</dt>
            <dd>{o.name}</dd>
            <dt>Slug</dt>
            <dd>
              <code>{o.slug}</code> (sent as <code>X-Sentinel-Org</code>)
            </dd>
            <dt>Created</dt>
            <dd>{formatDate(o.createdAt)}</dd>
            <dt>Plan</dt>
            <dd>
              <Badge tone="plan">{o.plan}</Badge>
              <p className="muted small">
                Plans are changed by your Sentinel operator or billing, not from here: ask them to move you to
                another plan.
              </p>
            </dd>
          </dl>
        )}
      </QueryState>
    </Card>
  );
}

function DetectionSection() {
  const query = useApiQuery<Organization>("/organization");
  const isAdmin = useHasRole("admin");
  return (
    <Card title="AI detection" id="detection">
      <QueryState query={query}>
        {(o) => <DetectionForm key={JSON.stringify(o.settings)} settings={o.settings} editable={isAdmin} />}
      </QueryState>
    </Card>
  );
}

function DetectionForm({ settings, editable }: { settings: OrgSettings; editable: boolean }) {
  const mutation = useApiMutation<Partial<OrgSettings>>("PATCH", "/organization/settings");
  const [threshold, setThreshold] = useState(Math.round((settings.aiHeavyThreshold ?? 0.5) * 100));
  const [rules, setRules] = useState<TierRule[]>(settings.tierRules ?? []);
  const [saved, setSaved] = useState(false);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    mutation.mutate(
      { aiHeavyThreshold: threshold / 100, tierRules: rules.filter((r) => r.pattern.trim()) },
      { onSuccess: () => setSaved(true) },
    );
  }

  return (
    <form className="form" onSubmit={submit} aria-label="AI detection settings">
      <label className="field">
        <span>
          AI-heavy threshold: a change is AI-heavy when at least this share of its added lines is AI-written
        </span>
        <span className="range-row">
          <input
            type="range"
            min={5}
            max={95}
            step={5}
            value={threshold}
            disabled={!editable}
            onChange={(e) => setThreshold(Number(e.target.value))}
            aria-valuetext={`${threshold}%`}
          />
          <output>{threshold}%</output>
        </span>
      </label>
      <fieldset className="fieldset">
        <legend>Tier rules (first matching pattern wins; globs, ** allowed)</legend>
        {rules.length === 0 ? (
          <p className="muted small">
            No rules: tiers come from the engine's own path and content heuristics.
          </p>
        ) : null}
        {rules.map((rule, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; order is the meaning
          <div className="rule-row" key={i}>
            <label className="field-inline grow">
              <span className="visually-hidden">Pattern {i + 1}</span>
              <input
                value={rule.pattern}
                disabled={!editable}
                placeholder="src/payments/**"
                onChange={(e) =>
                  setRules(rules.map((r, j) => (j === i ? { ...r, pattern: e.target.value } : r)))
                }
              />
            </label>
            <label className="field-inline">
              <span className="visually-hidden">Tier for pattern {i + 1}</span>
              <select
                value={rule.tier}
                disabled={!editable}
                onChange={(e) =>
                  setRules(
                    rules.map((r, j) => (j === i ? { ...r, tier: e.target.value as TierRule["tier"] } : r)),
                  )
                }
              >
                {RISK_TIERS.map((t) => (
                  <option key={t} value={t}>
                    {tierLabel(t)}
                  </option>
                ))}
              </select>
            </label>
            {editable ? (
              <button
                type="button"
                className="button button-ghost button-small"
                onClick={() => setRules(rules.filter((_, j) => j !== i))}
                aria-label={`Remove rule ${rule.pattern || i + 1}`}
              >
                Remove
              </button>
            ) : null}
          </div>
        ))}
        {editable ? (
          <button
            type="button"
            className="button button-small"
            onClick={() => setRules([...rules, { pattern: "", tier: "T3_core" }])}
          >
            Add rule
          </button>
        ) : null}
      </fieldset>
      <InlineError error={mutation.error} />
      {editable ? (
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={mutation.isPending}>
            {mutation.isPending ? "Saving…" : "Save detection settings"}
          </button>
          {saved ? (
            <span className="success" role="status">
              Saved.
            </span>
          ) : null}
        </div>
      ) : (
        <AdminOnly />
      )}
    </form>
  );
}

function MembersSection() {
  const query = useApiQuery<{ items: Member[] }>("/members");
  const isAdmin = useHasRole("admin");
  const me = useMe();
  return (
    <Card title="Members" id="members">
      <QueryState query={query} isEmpty={(d) => d.items.length === 0} empty={<Empty title="No members." />}>
        {(data) => (
          <table className="table" data-testid="members">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {isAdmin ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {data.items.map((m) => (
                <MemberRow key={m.userId} member={m} editable={isAdmin && m.userId !== me.data?.user.id} />
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      {isAdmin ? null : <AdminOnly />}
    </Card>
  );
}

function MemberRow({ member, editable }: { member: Member; editable: boolean }) {
  const change = useApiMutation<{ role: string }>("PATCH", `/members/${member.userId}`);
  const remove = useApiMutation<undefined>("DELETE", `/members/${member.userId}`);
  return (
    <tr>
      <td>{member.name}</td>
      <td>{member.email}</td>
      <td>
        {editable ? (
          <label className="field-inline">
            <span className="visually-hidden">Role of {member.email}</span>
            <select
              value={member.role}
              disabled={change.isPending}
              onChange={(e) => change.mutate({ role: e.target.value })}
            >
              {MEMBER_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <Badge tone={`role-${member.role}`}>{member.role}</Badge>
        )}
        <InlineError error={change.error ?? remove.error} />
      </td>
      <td>{formatDate(member.createdAt)}</td>
      {editable ? (
        <td>
          <button
            type="button"
            className="button button-ghost button-small"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Remove ${member.email} from this organization?`)) remove.mutate(undefined);
            }}
          >
            Remove
          </button>
        </td>
      ) : null}
    </tr>
  );
}

function InvitationsSection() {
  const query = useApiQuery<{ items: Invitation[] }>("/invitations");
  const create = useApiMutation<{ email: string; role: string }, CreatedInvitation>("POST", "/invitations");
  const [created, setCreated] = useState<CreatedInvitation | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    create.mutate(
      { email: String(form.get("email")).trim(), role: String(form.get("role")) },
      {
        onSuccess: (invitation) => {
          setCreated(invitation);
          formElement.reset();
        },
      },
    );
  }

  return (
    <Card title="Invitations" id="invitations">
      <form className="form form-row" onSubmit={submit} aria-label="Invite a member">
        <label className="field grow">
          <span>Email</span>
          <input name="email" type="email" required placeholder="colleague@example.com" />
        </label>
        <label className="field">
          <span>Role</span>
          <select name="role" defaultValue="member">
            {MEMBER_ROLES.filter((r) => r !== "owner").map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Invite
        </button>
      </form>
      <InlineError error={create.error} />
      {created?.acceptUrl ? (
        <SecretOnce
          label={`Invitation link for ${created.email} (shown once; send it to them)`}
          value={created.acceptUrl}
          testId="invitation-link"
        />
      ) : null}
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={<p className="muted">No pending invitations.</p>}
      >
        {(data) => (
          <ul className="list">
            {data.items.map((i) => (
              <InvitationRow key={i.id} invitation={i} />
            ))}
          </ul>
        )}
      </QueryState>
    </Card>
  );
}

function InvitationRow({ invitation }: { invitation: Invitation }) {
  const revoke = useApiMutation<undefined>("DELETE", `/invitations/${invitation.id}`);
  const expired = new Date(invitation.expiresAt).getTime() < Date.now();
  return (
    <li className="list-row">
      <span className="grow">{invitation.email}</span>
      <Badge tone={`role-${invitation.role}`}>{invitation.role}</Badge>
      <span className="muted small">
        {invitation.acceptedAt
          ? "accepted"
          : expired
            ? "expired"
            : `expires ${formatRelative(invitation.expiresAt)}`}
      </span>
      {invitation.acceptedAt ? null : (
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => revoke.mutate(undefined)}
          disabled={revoke.isPending}
        >
          Revoke
        </button>
      )}
      <InlineError error={revoke.error} />
    </li>
  );
}

function ApiKeysSection() {
  const query = useApiQuery<{ items: ApiKey[] } | ApiKey[]>("/api-keys");
  const create = useApiMutation<{ name: string; scopes: string[] }, CreatedApiKey>("POST", "/api-keys");
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [scopes, setScopes] = useState<string[]>(["metrics:read"]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const name = String(new FormData(formElement).get("name")).trim();
    create.mutate(
      { name, scopes },
      {
        onSuccess: (key) => {
          setCreated(key);
          formElement.reset();
        },
      },
    );
  }

  return (
    <Card title="API keys" id="api-keys">
      <form className="form" onSubmit={submit} aria-label="Create an API key">
        <div className="form-row">
          <label className="field grow">
            <span>Name</span>
            <input name="name" required maxLength={100} placeholder="CI deploy reporter" />
          </label>
          <button
            type="submit"
            className="button button-primary"
            disabled={create.isPending || scopes.length === 0}
          >
            Create key
          </button>
        </div>
        <fieldset className="fieldset scopes">
          <legend>Scopes</legend>
          {API_KEY_SCOPES.map((scope) => (
            <label key={scope} className="checkbox">
              <input
                type="checkbox"
                name="scopes"
                value={scope}
                checked={scopes.includes(scope)}
                onChange={(e) =>
                  setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))
                }
              />
              <code>{scope}</code>
            </label>
          ))}
        </fieldset>
      </form>
      <InlineError error={create.error} />
      {created?.key ? (
        <SecretOnce
          label={`Your new key “${created.name}”. Copy it now: it is shown only once.`}
          value={created.key}
          testId="new-api-key"
        />
      ) : null}
      <QueryState
        query={query}
        isEmpty={(d) => (Array.isArray(d) ? d : d.items).length === 0}
        empty={<p className="muted">No API keys yet.</p>}
      >
        {(data) => (
          <table className="table" data-testid="api-keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(Array.isArray(data) ? data : data.items).map((key) => (
                <ApiKeyRow key={key.id} apiKey={key} />
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Card>
  );
}

function ApiKeyRow({ apiKey }: { apiKey: ApiKey }) {
  const revoke = useApiMutation<undefined>("DELETE", `/api-keys/${apiKey.id}`);
  const expired = apiKey.expiresAt !== null && new Date(apiKey.expiresAt).getTime() < Date.now();
  const status = apiKey.revokedAt ? "revoked" : expired ? "expired" : "active";
  return (
    <tr>
      <td>{apiKey.name}</td>
      <td>
        <code>{apiKey.displayPrefix}…</code>
      </td>
      <td>{apiKey.scopes.join(", ")}</td>
      <td>{formatDate(apiKey.createdAt)}</td>
      <td>{apiKey.lastUsedAt ? formatDateTime(apiKey.lastUsedAt) : <span className="muted">never</span>}</td>
      <td>
        <Badge tone={`key-${status}`}>{status}</Badge>
      </td>
      <td>
        {status === "active" ? (
          <button
            type="button"
            className="button button-ghost button-small"
            disabled={revoke.isPending}
            aria-label={`Revoke ${apiKey.name}`}
            onClick={() => revoke.mutate(undefined)}
          >
            Revoke
          </button>
        ) : null}
        <InlineError error={revoke.error} />
      </td>
    </tr>
  );
}

/** A secret shown once, selectable and copyable. */
function SecretOnce({ label, value, testId }: { label: string; value: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret" role="status">
      <p>{label}</p>
      <div className="secret-row">
        <input
          readOnly
          value={value}
          data-testid={testId}
          aria-label={label}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button
          type="button"
          className="button button-small"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(value);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

/** Each repository's history import and git mirror: what `sentinel backfills` prints. */
function HistorySection() {
  const query = useApiQuery<{ items: RepositorySync[] }>("/repository-sync", undefined, {
    refetchInterval: (q) => pollWhileImporting(q.state.data),
  });
  return (
    <Card title="Repository history" id="history">
      <p className="muted small">
        Sentinel imports each new repository's past commits from a git mirror it keeps on the server. The
        mirror is fetched on every push; the least recently used are deleted when the total passes the cap.
      </p>
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={<p className="muted">No repositories yet.</p>}
      >
        {(data) => (
          <table className="table" data-testid="repository-history">
            <thead>
              <tr>
                <th scope="col">Repository</th>
                <th scope="col">History import</th>
                <th scope="col">Git mirror</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((sync) => (
                <tr key={sync.repoId}>
                  <td>{sync.fullName}</td>
                  <td>
                    <BackfillProgress sync={sync} />
                  </td>
                  <td>
                    <MirrorState sync={sync} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Card>
  );
}

function GithubSection() {
  const query = useApiQuery<{ items: Installation[] }>("/installations");
  const config = useDashboardConfig();
  const isAdmin = useHasRole("admin");
  const installUrl = config.data?.github.installUrl ?? null;
  // The link carries a signed state naming this organization, so GitHub's redirect back links
  // the new installation here; it is issued on click because it expires after an hour.
  const link = useApiMutation<undefined, { url: string }>("POST", "/installations/install-link");
  return (
    <Card
      title="GitHub"
      id="github"
      actions={
        installUrl && isAdmin ? (
          <button
            type="button"
            className="button button-primary"
            disabled={link.isPending}
            onClick={() => link.mutate(undefined, { onSuccess: ({ url }) => window.location.assign(url) })}
          >
            {link.isPending ? "Opening GitHub…" : "Connect GitHub"}
          </button>
        ) : null
      }
    >
      <InlineError error={link.error} />
      {installUrl || config.isPending ? null : (
        <div className="callout">
          <p>
            <strong>The GitHub App is not configured on this server.</strong> To connect GitHub, create a
            GitHub App (webhook URL <code>{window.location.origin}/api/webhooks/github</code>, setup URL{" "}
            <code>{window.location.origin}/api/github/setup</code>, events: push, pull request, deployment
            status, issues), then start Sentinel with:
          </p>
          <pre>
            GITHUB_APP_ID=…{"\n"}GITHUB_APP_SLUG=your-app-slug{"\n"}GITHUB_APP_PRIVATE_KEY="-----BEGIN…"{"\n"}
            GITHUB_WEBHOOK_SECRET=…
          </pre>
          <p className="muted small">
            The “Connect GitHub” button then links to the App's installation page. Without GitHub, analyse a
            local clone with <code>sentinel analyze &lt;path&gt;</code>.
          </p>
        </div>
      )}
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={<p className="muted">No installations yet.</p>}
      >
        {(data) => (
          <table className="table" data-testid="installations">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Type</th>
                <th scope="col" className="num">
                  Repositories
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((i) => (
                <tr key={String(i.installationId)}>
                  <td>{i.accountLogin}</td>
                  <td>{i.accountType}</td>
                  <td className="num">{i.repositoryCount}</td>
                  <td>
                    {i.suspendedAt ? (
                      <Badge tone="sev2">suspended {formatDate(i.suspendedAt)}</Badge>
                    ) : (
                      <Badge tone="key-active">active</Badge>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Card>
  );
}

/** A typed confirmation before something that cannot be undone: the button waits for the exact text. */
function ConfirmDeletion({
  label,
  expected,
  action,
  busyLabel,
  onConfirm,
}: {
  label: string;
  expected: string;
  action: string;
  busyLabel: string;
  onConfirm: (confirm: string) => Promise<void>;
}) {
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onConfirm(typed.trim());
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={submit} aria-label={action}>
      <label className="field">
        <span>
          {label} <code>{expected}</code>
        </span>
        <input
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
        />
      </label>
      <InlineError error={error} />
      <div className="form-actions">
        <button type="submit" className="button button-danger" disabled={busy || typed.trim() !== expected}>
          {busy ? busyLabel : action}
        </button>
      </div>
    </form>
  );
}

function AccountSection() {
  const me = useMe();
  const client = useQueryClient();
  const navigate = useNavigate();
  const email = me.data?.user.email ?? "";
  return (
    <Card title="Your account" id="account">
      <p>
        Signed in as <strong>{email}</strong>. Deleting your account signs you out everywhere and removes you
        from every organization, with the API keys you created and the invitations you sent that are still
        open. An organization you are the only member of is deleted with it. If you are the last owner of an
        organization that has other members, make someone else its owner (or delete it) first.
      </p>
      {email ? (
        <ConfirmDeletion
          label="To delete your account, type your e-mail address"
          expected={email}
          action="Delete my account"
          busyLabel="Deleting your account…"
          onConfirm={async (confirm) => {
            await apiRequest("/me", { method: "DELETE", org: null, body: { confirm } });
            client.clear();
            navigate("/sign-in", { replace: true });
          }}
        />
      ) : null}
    </Card>
  );
}

function DangerZoneSection() {
  const org = useCurrentOrg();
  const slug = useOrgSlug();
  const client = useQueryClient();
  const navigate = useNavigate();
  return (
    <Card title="Danger zone" id="danger-zone" className="card-danger">
      <p>
        Deleting <strong>{org?.name ?? slug}</strong> erases at once its repositories, telemetry, metrics,
        incidents, members, invitations, API keys and audit log. Its GitHub installations are unlinked, not
        uninstalled, and can be linked to another organization. This cannot be undone.
      </p>
      <ConfirmDeletion
        label="To delete this organization, type its slug"
        expected={slug}
        action="Delete this organization"
        busyLabel="Deleting the organization…"
        onConfirm={async (confirm) => {
          await apiRequest("/organization", { method: "DELETE", org: slug, body: { confirm } });
          client.clear();
          navigate("/", { replace: true });
        }}
      />
    </Card>
  );
}

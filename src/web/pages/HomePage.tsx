import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { Navigate, useNavigate } from "react-router";
import { ApiError, apiRequest } from "../api/client.ts";
import { meQuery, useMe } from "../api/hooks.ts";
import { AuthFrame } from "../components/AuthFrame.tsx";
import { ErrorState, InlineError, Loading } from "../components/states.tsx";
import { InvitationForm } from "./AcceptInvitationPage.tsx";

/** `/`: the first organization's overview, or what to do when the user has none yet. */
export default function HomePage() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.error?.status === 401) return <Navigate to="/sign-in" replace />;
  if (me.error || !me.data) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;
  const first = me.data.organizations[0];
  if (first) return <Navigate to={`/o/${first.slug}`} replace />;
  return (
    <AuthFrame title={`Welcome, ${me.data.user.name || me.data.user.email}`}>
      <p>You are not a member of any organization yet.</p>
      <section className="home-option" aria-labelledby="create-organization-title">
        <h2 id="create-organization-title">Create an organization</h2>
        <p className="muted">For your team's repositories. You will be its owner and can invite others.</p>
        <CreateOrganizationForm />
      </section>
      <section className="home-option" aria-labelledby="join-organization-title">
        <h2 id="join-organization-title">Join an existing one</h2>
        <p className="muted">
          Ask an admin of your organization to invite <strong>{me.data.user.email}</strong> from Settings →
          Members, then open the invitation link, or paste it here.
        </p>
        <InvitationForm />
      </section>
    </AuthFrame>
  );
}

type Field = "name" | "slug";

/** The field a 400 or 409 answer names, when it is one of this form's. */
function fieldOf(error: unknown): Field | null {
  const field = error instanceof ApiError ? error.details?.field : undefined;
  return field === "name" || field === "slug" ? field : null;
}

function CreateOrganizationForm() {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const inputs = { name: useRef<HTMLInputElement>(null), slug: useRef<HTMLInputElement>(null) };
  const invalid = fieldOf(error);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    const slug = String(form.get("slug") ?? "").trim();
    setBusy(true);
    setError(null);
    try {
      const created = await apiRequest<{ slug: string }>("/organizations", {
        method: "POST",
        org: null,
        body: slug ? { name, slug } : { name },
      });
      // The shell lets people into an organization they are a member of: know it before going there.
      await client.invalidateQueries({ queryKey: meQuery.queryKey });
      navigate(`/o/${created.slug}`, { replace: true });
    } catch (e) {
      setError(e);
      setBusy(false);
      inputs[fieldOf(e) ?? "name"].current?.focus();
    }
  }

  return (
    <form onSubmit={submit} className="form" aria-label="Create an organization">
      <label className="field">
        <span>Organization name</span>
        <input
          ref={inputs.name}
          name="name"
          autoComplete="organization"
          required
          maxLength={200}
          aria-invalid={invalid === "name" || undefined}
          aria-describedby={invalid === "name" ? "create-organization-error" : undefined}
        />
      </label>
      <label className="field">
        <span>URL handle (optional)</span>
        <input
          ref={inputs.slug}
          name="slug"
          placeholder="acme-robotics"
          pattern="[a-z0-9]+(-[a-z0-9]+)*"
          minLength={2}
          maxLength={48}
          autoCapitalize="none"
          spellCheck={false}
          aria-invalid={invalid === "slug" || undefined}
          aria-describedby={
            invalid === "slug"
              ? "create-organization-error create-organization-slug-hint"
              : "create-organization-slug-hint"
          }
          title="Lowercase letters, digits and single hyphens"
        />
        <small className="muted" id="create-organization-slug-hint">
          Lowercase letters, digits and single hyphens; made from the name when left empty. Your dashboard
          lives at /o/<em>handle</em>.
        </small>
      </label>
      <div id="create-organization-error">
        <InlineError error={error} />
      </div>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? "Creating organization…" : "Create organization"}
      </button>
    </form>
  );
}

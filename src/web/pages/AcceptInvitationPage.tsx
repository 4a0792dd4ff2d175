import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Navigate, useLocation, useNavigate, useSearchParams } from "react-router";
import { apiRequest } from "../api/client.ts";
import { useMe } from "../api/hooks.ts";
import { AuthFrame } from "../components/AuthFrame.tsx";
import { ErrorState, InlineError, Loading } from "../components/states.tsx";

/** An invitation link's token, whether the user pasted the link or the bare token. */
function tokenFrom(input: string): string {
  const text = input.trim();
  try {
    return new URL(text).searchParams.get("token") ?? text;
  } catch {
    return text;
  }
}

export function InvitationForm({ initialToken = "" }: { initialToken?: string }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const token = tokenFrom(String(new FormData(event.currentTarget).get("token")));
    setBusy(true);
    setError(null);
    try {
      const result = await apiRequest<{ slug?: string; organization?: { slug?: string } }>(
        "/invitations/accept",
        {
          method: "POST",
          org: null,
          body: { token },
        },
      );
      await client.invalidateQueries({ queryKey: ["me"] });
      const slug = result?.organization?.slug ?? result?.slug;
      navigate(slug ? `/o/${slug}` : "/", { replace: true });
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="form">
      <label className="field">
        <span>Invitation link or token</span>
        <input name="token" defaultValue={initialToken} required />
      </label>
      <InlineError error={error} />
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? "Joining…" : "Join organization"}
      </button>
    </form>
  );
}

export default function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const location = useLocation();
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.error?.status === 401) {
    return (
      <Navigate to={`/sign-up?next=${encodeURIComponent(location.pathname + location.search)}`} replace />
    );
  }
  if (me.error || !me.data) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;
  return (
    <AuthFrame title="Join an organization">
      <p className="muted">
        Signed in as <strong>{me.data.user.email}</strong>.
      </p>
      <InvitationForm initialToken={params.get("token") ?? ""} />
    </AuthFrame>
  );
}

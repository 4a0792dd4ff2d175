import { Navigate } from "react-router";
import { useMe } from "../api/hooks.ts";
import { AuthFrame } from "../components/AuthFrame.tsx";
import { ErrorState, Loading } from "../components/states.tsx";
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
      <p className="muted">
        Ask an admin of your organization to invite <strong>{me.data.user.email}</strong> from Settings →
        Members, then open the invitation link, or paste it here.
      </p>
      <InvitationForm />
    </AuthFrame>
  );
}

import { Link } from "react-router";
import { signIn } from "../api/auth.ts";
import { AuthFrame, useAuthForm } from "../components/AuthFrame.tsx";
import { InlineError } from "../components/states.tsx";

export default function SignInPage() {
  const { next, error, busy, submit } = useAuthForm((form) =>
    signIn(String(form.get("email")), String(form.get("password"))),
  );

  return (
    <AuthFrame
      title="Sign in"
      footer={
        <>
          New to Sentinel?{" "}
          <Link to={`/sign-up${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`}>
            Create an account
          </Link>
        </>
      }
    >
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>Email</span>
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label className="field">
          <span>Password</span>
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <InlineError error={error} />
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </AuthFrame>
  );
}

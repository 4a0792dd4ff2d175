import { Link } from "react-router";
import { signUp } from "../api/auth.ts";
import { AuthFrame, useAuthForm } from "../components/AuthFrame.tsx";
import { InlineError } from "../components/states.tsx";

// Better Auth's minPasswordLength in src/server/auth/better-auth.ts.
const MIN_PASSWORD = 10;

export default function SignUpPage() {
  const { next, error, busy, submit } = useAuthForm((form) =>
    signUp(String(form.get("name")), String(form.get("email")), String(form.get("password"))),
  );

  return (
    <AuthFrame
      title="Create your account"
      footer={
        <>
          Already have an account?{" "}
          <Link to={`/sign-in${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`}>Sign in</Link>
        </>
      }
    >
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>Name</span>
          <input name="name" autoComplete="name" required />
        </label>
        <label className="field">
          <span>Work email</span>
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={MIN_PASSWORD}
            required
          />
          <small className="muted">At least {MIN_PASSWORD} characters.</small>
        </label>
        <InlineError error={error} />
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Creating account…" : "Create account"}
        </button>
      </form>
    </AuthFrame>
  );
}

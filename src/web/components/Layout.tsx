import { useQueryClient } from "@tanstack/react-query";
import { Suspense, useState } from "react";
import { Link, Navigate, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { signOut } from "../api/auth.ts";
import { useMe, useOrgSlug } from "../api/hooks.ts";
import { Empty, ErrorState, Loading } from "./states.tsx";

const SECTIONS = [
  { path: "", label: "Overview", end: true },
  { path: "repositories", label: "Repositories", end: false },
  { path: "incidents", label: "Incidents", end: false },
  { path: "settings", label: "Settings", end: false },
] as const;

/** Everything under /o/:org: signed-in check, header with navigation and organization switcher. */
export function OrgLayout() {
  const me = useMe();
  const slug = useOrgSlug();
  const location = useLocation();

  if (me.isPending) return <Loading label="Signing you in…" />;
  if (me.error?.status === 401) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }
  if (me.error || !me.data) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;

  const org = me.data.organizations.find((o) => o.slug === slug);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={org ? `/o/${org.slug}` : "/"} className="brand" aria-label="Sentinel home">
          <span className="brand-mark" aria-hidden="true">
            ✓
          </span>
          Sentinel
        </Link>
        {org ? (
          <nav aria-label="Sections" className="nav">
            {SECTIONS.map((s) => (
              <NavLink key={s.label} to={`/o/${org.slug}${s.path ? `/${s.path}` : ""}`} end={s.end}>
                {s.label}
              </NavLink>
            ))}
          </nav>
        ) : (
          <span className="nav" />
        )}
        <OrgSwitcher />
        <UserMenu name={me.data.user.name} email={me.data.user.email} />
      </header>
      <main id="main" className="content" tabIndex={-1}>
        {org ? (
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        ) : (
          <Empty title={`You are not a member of “${slug}”.`}>
            <p>It may not exist, or you have not been invited to it.</p>
            <Link to="/">Go to your organizations</Link>
          </Empty>
        )}
      </main>
    </div>
  );
}

function OrgSwitcher() {
  const me = useMe();
  const slug = useOrgSlug();
  const navigate = useNavigate();
  const location = useLocation();
  const organizations = me.data?.organizations ?? [];
  if (organizations.length === 0) return null;
  return (
    <label className="org-switcher">
      <span className="visually-hidden">Organization</span>
      <select
        value={slug}
        onChange={(event) => {
          // Keep the section (overview, incidents…) but not ids that belong to the old organization.
          const section = location.pathname.split("/")[3] ?? "";
          navigate(`/o/${event.target.value}${section ? `/${section}` : ""}`);
        }}
      >
        {organizations.some((o) => o.slug === slug) ? null : <option value={slug}>{slug}</option>}
        {organizations.map((o) => (
          <option key={o.id} value={o.slug}>
            {o.name} · {o.role}
          </option>
        ))}
      </select>
    </label>
  );
}

function UserMenu({ name, email }: { name: string; email: string }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  return (
    <div className="user-menu">
      <span className="user-name" title={email}>
        {name || email}
      </span>
      <button
        type="button"
        className="button button-ghost"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await signOut();
          } finally {
            client.clear();
            navigate("/sign-in");
          }
        }}
      >
        Sign out
      </button>
    </div>
  );
}

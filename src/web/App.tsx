import { Suspense } from "react";
import { Route, Routes } from "react-router";
import { ErrorBoundary } from "./components/ErrorBoundary.tsx";
import { OrgLayout } from "./components/Layout.tsx";
import { Loading } from "./components/states.tsx";
import { preloadable } from "./lazy.tsx";

// Each page is its own chunk, so the first load carries only the shell and the page it shows.
const SignInPage = preloadable(() => import("./pages/SignInPage.tsx").then((m) => m.default));
const SignUpPage = preloadable(() => import("./pages/SignUpPage.tsx").then((m) => m.default));
const HomePage = preloadable(() => import("./pages/HomePage.tsx").then((m) => m.default));
const AcceptInvitationPage = preloadable(() =>
  import("./pages/AcceptInvitationPage.tsx").then((m) => m.default),
);
const OverviewPage = preloadable(() => import("./pages/OverviewPage.tsx").then((m) => m.default));
const RepositoriesPage = preloadable(() => import("./pages/RepositoriesPage.tsx").then((m) => m.default));
const RepositoryPage = preloadable(() => import("./pages/RepositoryPage.tsx").then((m) => m.default));
const CommitPage = preloadable(() => import("./pages/CommitPage.tsx").then((m) => m.default));
const IncidentsPage = preloadable(() => import("./pages/IncidentsPage.tsx").then((m) => m.default));
const IncidentPage = preloadable(() => import("./pages/IncidentPage.tsx").then((m) => m.default));
const SettingsPage = preloadable(() => import("./pages/SettingsPage.tsx").then((m) => m.default));
const NotFoundPage = preloadable(() => import("./pages/NotFoundPage.tsx").then((m) => m.default));

// The overview is where people land: fetch its code while the shell checks the session, not after,
// so it renders as soon as the session is known.
if (/^\/o\/[^/]+\/?$/.test(window.location.pathname)) void OverviewPage.preload();

export function App() {
  return (
    <ErrorBoundary>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/sign-up" element={<SignUpPage />} />
          <Route path="/invitations/accept" element={<AcceptInvitationPage />} />
          <Route path="/o/:org" element={<OrgLayout />}>
            <Route index element={<OverviewPage />} />
            <Route path="repositories" element={<RepositoriesPage />} />
            <Route path="repositories/:repositoryId" element={<RepositoryPage />} />
            <Route path="repositories/:repositoryId/commits/:sha" element={<CommitPage />} />
            <Route path="incidents" element={<IncidentsPage />} />
            <Route path="incidents/:incidentId" element={<IncidentPage />} />
            <Route path="settings" element={<SettingsPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </ErrorBoundary>
  );
}

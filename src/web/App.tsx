import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router";
import { ErrorBoundary } from "./components/ErrorBoundary.tsx";
import { OrgLayout } from "./components/Layout.tsx";
import { Loading } from "./components/states.tsx";

// Each page is its own chunk, so the first load carries only the shell and the page it shows.
const SignInPage = lazy(() => import("./pages/SignInPage.tsx"));
const SignUpPage = lazy(() => import("./pages/SignUpPage.tsx"));
const HomePage = lazy(() => import("./pages/HomePage.tsx"));
const AcceptInvitationPage = lazy(() => import("./pages/AcceptInvitationPage.tsx"));
const loadOverview = () => import("./pages/OverviewPage.tsx");
const OverviewPage = lazy(loadOverview);
const RepositoriesPage = lazy(() => import("./pages/RepositoriesPage.tsx"));
const RepositoryPage = lazy(() => import("./pages/RepositoryPage.tsx"));
const CommitPage = lazy(() => import("./pages/CommitPage.tsx"));
const IncidentsPage = lazy(() => import("./pages/IncidentsPage.tsx"));
const IncidentPage = lazy(() => import("./pages/IncidentPage.tsx"));
const SettingsPage = lazy(() => import("./pages/SettingsPage.tsx"));
const NotFoundPage = lazy(() => import("./pages/NotFoundPage.tsx"));

// The overview is where people land: fetch its code while the shell checks the session, not after.
if (/^\/o\/[^/]+\/?$/.test(window.location.pathname)) void loadOverview();

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

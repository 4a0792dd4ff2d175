import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App.tsx";
import { ApiError } from "./api/client.ts";
import { meQuery } from "./api/hooks.ts";
import "./styles.css";

const queryClient = new QueryClient({
  queryCache: new QueryCache({
    // A session that expired while the page was open: back to the sign-in page, then here again.
    // (The "me" query is the shell's own sign-in check: it redirects without reloading the page.)
    onError: (error, query) => {
      if (query.queryKey[0] === "me") return;
      if (
        error instanceof ApiError &&
        error.status === 401 &&
        !window.location.pathname.startsWith("/sign-")
      ) {
        const next = encodeURIComponent(window.location.pathname + window.location.search);
        window.location.assign(`/sign-in?next=${next}`);
      }
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // Client errors will not fix themselves; retry only what might (network, 5xx).
      retry: (count, error) =>
        count < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
    },
  },
});

// An organization's pages start by asking who is signed in: ask now, while React renders its first
// frame, rather than once the shell has rendered. (The sign-in and sign-up pages do not ask.)
if (window.location.pathname.startsWith("/o/")) void queryClient.prefetchQuery(meQuery);

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </StrictMode>,
  );
}

import type { ReactNode } from "react";
import { ApiError } from "../api/client.ts";

// Every page shows one of these while it cannot show data: loading, nothing yet, or what failed.

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children ? <div className="state-body">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const apiError = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : "Something went wrong.";
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{apiError?.status === 404 ? "Not found" : "Could not load this"}</p>
      <p>{message}</p>
      {apiError?.requestId ? (
        <p className="muted small">
          Request id <code>{apiError.requestId}</code>
        </p>
      ) : null}
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** Renders a query's states, and its data through `children` once it has some. */
export function QueryState<T>({
  query,
  children,
  isEmpty,
  empty,
  loadingLabel,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  children: (data: T) => ReactNode;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loadingLabel?: string;
}) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.error || query.data === undefined)
    return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  if (isEmpty?.(query.data)) return <>{empty ?? <Empty title="Nothing here yet" />}</>;
  return <>{children(query.data)}</>;
}

/** An inline error for a form or an action, with the request id support will ask for. */
export function InlineError({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : "Something went wrong.";
  const requestId = error instanceof ApiError ? error.requestId : null;
  return (
    <p className="inline-error" role="alert">
      {message}
      {requestId ? <span className="muted small"> (request {requestId})</span> : null}
    </p>
  );
}

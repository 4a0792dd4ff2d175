import { Component, type ErrorInfo, type ReactNode } from "react";

interface State {
  error: Error | null;
}

/**
 * The last line of defence: a page that throws while rendering, or whose code cannot be loaded
 * (a new version was deployed while the tab was open), shows what happened and a way out.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Kept in the browser console for whoever reports the problem.
    console.warn("dashboard error", error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const stale =
      /dynamically imported module|Importing a module script failed|error loading dynamically/i.test(
        error.message,
      );
    return (
      <div className="content">
        <div className="state state-error" role="alert">
          <p className="state-title">{stale ? "Sentinel was updated" : "This page failed to show"}</p>
          <p>{stale ? "Reload to get the new version of the dashboard." : error.message}</p>
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      </div>
    );
  }
}

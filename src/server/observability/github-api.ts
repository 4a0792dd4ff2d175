import { githubApiErrors, githubApiRequests, observeGithubRateLimit } from "./metrics.ts";

// An Octokit plugin that counts the App's REST calls and keeps each installation's rate-limit
// headroom from the headers GitHub answers with. Added last, its hooks wrap octokit's retry and
// throttling: they see what the caller sees, once per call, after any retries.

type Headers = Record<string, string | number | undefined>;

interface HookedOctokit {
  hook: {
    after(name: "request", hook: (response: { headers: Headers }) => void): void;
    error(name: "request", hook: (error: Error) => never): void;
  };
}

/** The installation an Octokit acts for (the App's installation clients carry its id in `auth`). */
function installationOf(options: { auth?: unknown }): string {
  const auth = options.auth;
  if (typeof auth === "object" && auth !== null && "installationId" in auth) {
    const id = (auth as { installationId: unknown }).installationId;
    if (typeof id === "number" || typeof id === "string") return String(id);
  }
  return "app";
}

export function githubApiMetrics(octokit: HookedOctokit, options: { auth?: unknown }): void {
  const installation = installationOf(options);
  octokit.hook.after("request", (response) => {
    githubApiRequests.inc({ outcome: "ok" });
    observeGithubRateLimit(installation, response.headers);
  });
  octokit.hook.error("request", (error) => {
    const { status, response } = error as Error & { status?: unknown; response?: { headers?: Headers } };
    githubApiRequests.inc({ outcome: "error" });
    // Octokit reports a request that got no answer (DNS, refused, reset) with no response.
    githubApiErrors.inc({ status: response && typeof status === "number" ? String(status) : "network" });
    if (response?.headers) observeGithubRateLimit(installation, response.headers);
    throw error;
  });
}

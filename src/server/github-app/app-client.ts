import { App, Octokit } from "octokit";
import type { Env } from "../env.ts";
import { logger } from "../logger.ts";
import { githubApiMetrics } from "../observability/github-api.ts";

// The GitHub App's REST client. Octokit's App handles the JWT and installation tokens (cached
// until shortly before they expire), and octokit's bundled plugins retry server errors and wait
// out primary and secondary rate limits. GITHUB_API_URL points it at GitHub Enterprise Server,
// or at the fake GitHub in tests.

export type GithubApp = InstanceType<typeof App>;
export type InstallationOctokit = Awaited<ReturnType<GithubApp["getInstallationOctokit"]>>;

export interface GithubAppConfig {
  appId: string;
  privateKey: string;
  apiUrl: string;
  /** Seconds-long waits in tests would be slow: the fake GitHub answers at once. */
  retries?: number;
}

const octokitLog = {
  debug: () => {},
  info: (message: string) => logger.info({ component: "octokit" }, message),
  warn: (message: string) => logger.warn({ component: "octokit" }, message),
  error: (message: string) => logger.error({ component: "octokit" }, message),
};

export function createGithubApp(config: GithubAppConfig): GithubApp {
  const retries = config.retries ?? 3;
  const throttle = {
    // Wait out a primary limit (reset time from the headers) up to twice, a secondary one once.
    onRateLimit: (
      retryAfter: number,
      options: { method: string; url: string; request: { retryCount: number } },
    ) => {
      logger.warn({ retryAfter, method: options.method, url: options.url }, "GitHub rate limit reached");
      return options.request.retryCount < 2;
    },
    onSecondaryRateLimit: (
      retryAfter: number,
      options: { method: string; url: string; request: { retryCount: number } },
    ) => {
      logger.warn(
        { retryAfter, method: options.method, url: options.url },
        "GitHub secondary rate limit reached",
      );
      return options.request.retryCount < 1;
    },
  };
  const base = { baseUrl: config.apiUrl.replace(/\/+$/, ""), log: octokitLog, retry: { retries } };
  // GitHub's secondary limits (about one write a second) apply per installation token, so each
  // installation gets its own throttle: by default octokit spaces the writes of every
  // installation in the process one second apart, and one organization's burst of pull requests
  // would delay every other organization's checks. Metrics last: their hooks wrap retry and
  // throttling, so they count each call once, as returned.
  const ClientOctokit = Octokit.plugin(githubApiMetrics).defaults(
    (options: { auth?: { installationId?: number | string } }) => ({
      ...base,
      ...options,
      throttle: { ...throttle, id: `installation-${options.auth?.installationId ?? "app"}` },
    }),
  );
  return new App({
    appId: config.appId,
    // Environment files often carry the PEM with literal "\n".
    privateKey: config.privateKey.replace(/\\n/g, "\n"),
    Octokit: ClientOctokit,
    log: octokitLog,
  });
}

/** The App described by the environment, or null when GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY are unset. */
export function githubAppFromEnv(env: Env): GithubApp | null {
  if (!env.GITHUB_APP_ID || !env.GITHUB_APP_PRIVATE_KEY) return null;
  return createGithubApp({
    appId: env.GITHUB_APP_ID,
    privateKey: env.GITHUB_APP_PRIVATE_KEY,
    apiUrl: env.GITHUB_API_URL,
  });
}

/**
 * GitHub's web address for the configured API: github.com for api.github.com, the host itself for
 * GitHub Enterprise Server (`https://<host>/api/v3`), so install pages follow the configured server.
 */
export function githubWebUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path.endsWith("/api/v3") ? path.slice(0, -"/api/v3".length) : path}`;
}

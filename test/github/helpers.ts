import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { orgSettingsSchema } from "../../src/core/settings.ts";
import type { Database } from "../../src/server/db/client.ts";
import { githubInstallations, organizations, repositories } from "../../src/server/db/schema/index.ts";
import { type Env, loadEnv } from "../../src/server/env.ts";
import { signBody } from "../../src/server/github/verify.ts";

export const SECRET = "test-webhook-secret";

/** A server that takes webhooks signed with SECRET, on a free port, with no demo data or workers. */
export function webhookServerEnv(): Env {
  return loadEnv({
    PORT: "0",
    LOG_LEVEL: "silent",
    SENTINEL_SEED_ON_START: "false",
    SENTINEL_WORKERS: "false",
    GITHUB_WEBHOOK_SECRET: SECRET,
  });
}

export interface PostOptions {
  deliveryId?: string;
  secret?: string;
  contentType?: string;
  /** Override the signature header (null leaves it out). */
  signature?: string | null;
  headers?: Record<string, string>;
  form?: boolean;
}

/** Posts a delivery the way GitHub does: raw JSON (or `payload=` form), signed over the exact bytes. */
export async function postDelivery(
  baseUrl: string,
  event: string,
  payload: unknown,
  options: PostOptions = {},
): Promise<{ status: number; body: Record<string, unknown>; deliveryId: string }> {
  const deliveryId = options.deliveryId ?? randomUUID();
  const json = JSON.stringify(payload);
  const body = options.form ? new URLSearchParams({ payload: json }).toString() : json;
  const signature =
    options.signature === undefined ? signBody(options.secret ?? SECRET, body) : options.signature;
  const headers: Record<string, string> = {
    "content-type":
      options.contentType ?? (options.form ? "application/x-www-form-urlencoded" : "application/json"),
    "x-github-event": event,
    "x-github-delivery": deliveryId,
    "user-agent": "GitHub-Hookshot/test",
    ...(signature === null ? {} : { "x-hub-signature-256": signature }),
    ...options.headers,
  };
  const response = await fetch(`${baseUrl}/api/webhooks/github`, { method: "POST", headers, body });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, deliveryId };
}

let counter = 0;
/** A fresh number for installation and repository ids, so tests sharing a database never collide. */
export function uniqueId(): number {
  counter++;
  return 1_000_000 + Math.floor(Math.random() * 1_000_000) * 100 + counter;
}

export async function createOrg(
  db: Database,
  settings: Record<string, unknown> = {},
): Promise<{ id: string; slug: string }> {
  const slug = `org-${randomUUID().slice(0, 8)}`;
  const [org] = await db
    .insert(organizations)
    .values({ name: slug, slug, settings: orgSettingsSchema.parse(settings) })
    .returning();
  if (!org) throw new Error("no org");
  return { id: org.id, slug: org.slug };
}

export async function createInstallation(
  db: Database,
  installationId: number,
  orgId: string | null,
  state: { suspendedAt?: Date; deletedAt?: Date } = {},
): Promise<void> {
  await db.insert(githubInstallations).values({
    installationId,
    orgId,
    accountLogin: `acct-${installationId}`,
    accountId: installationId,
    accountType: "organization",
    ...state,
  });
}

export async function createRepository(
  db: Database,
  orgId: string,
  installationId: number,
  githubId: number,
  opts: { fullName?: string; defaultBranch?: string; trackedBranches?: string[] } = {},
): Promise<string> {
  const [repo] = await db
    .insert(repositories)
    .values({
      orgId,
      installationId,
      githubId,
      fullName: opts.fullName ?? `acct/repo-${githubId}`,
      defaultBranch: opts.defaultBranch ?? "main",
      settings: { trackedBranches: opts.trackedBranches ?? [], tierRules: [], ignoredPaths: [] },
    })
    .returning();
  if (!repo) throw new Error("no repo");
  return repo.id;
}

export async function repoIdByGithubId(db: Database, githubId: number): Promise<string | undefined> {
  const [row] = await db
    .select({ id: repositories.id })
    .from(repositories)
    .where(eq(repositories.githubId, githubId));
  return row?.id;
}

const DAY = 86_400_000;

/** A push payload of `n` commits to `branch`, shaped as GitHub sends it. */
export function pushPayload(opts: {
  installationId: number;
  repoGithubId: number;
  fullName?: string;
  branch?: string;
  defaultBranch?: string;
  commits: number;
  seed?: string;
  ref?: string;
  deleted?: boolean;
}) {
  const seed = opts.seed ?? randomUUID();
  const branch = opts.branch ?? "main";
  const commits = Array.from({ length: opts.commits }, (_, i) => {
    const id = shaOf(`${seed}-${i}`);
    return {
      id,
      tree_id: shaOf(`${seed}-tree-${i}`),
      distinct: true,
      message: `Commit ${i} of ${seed}`,
      timestamp: new Date(Date.now() - DAY + i * 1000).toISOString(),
      url: `https://github.com/${opts.fullName ?? "acct/repo"}/commit/${id}`,
      author: { name: "Mona Lisa", email: "mona@example.com", username: "mona" },
      committer: { name: "GitHub", email: "noreply@github.com", username: "web-flow" },
      added: [`src/new-${i}.ts`],
      removed: [],
      modified: ["README.md"],
    };
  });
  return {
    ref: opts.ref ?? `refs/heads/${branch}`,
    before: shaOf(`${seed}-before`),
    after: commits.at(-1)?.id ?? "0000000000000000000000000000000000000000",
    created: false,
    deleted: opts.deleted ?? false,
    forced: false,
    compare: "https://github.com/acct/repo/compare/a...b",
    commits,
    head_commit: commits.at(-1) ?? null,
    repository: {
      id: opts.repoGithubId,
      name: (opts.fullName ?? "acct/repo").split("/")[1],
      full_name: opts.fullName ?? `acct/repo-${opts.repoGithubId}`,
      private: true,
      default_branch: opts.defaultBranch ?? "main",
    },
    pusher: { name: "mona", email: "mona@example.com" },
    sender: { login: "mona", id: 1, type: "User" },
    installation: { id: opts.installationId, node_id: "x" },
  };
}

/** A pull request as GitHub's pull_request payloads carry it (a bot's dependency update by default). */
export const prPayload = (n: number, extra: Record<string, unknown> = {}) => ({
  number: n,
  title: `PR ${n}`,
  body: "text",
  html_url: `https://github.com/acct/repo/pull/${n}`,
  user: { login: "renovate[bot]", type: "Bot" },
  labels: [{ name: "deps" }],
  head: { ref: "renovate/x" },
  base: { ref: "main" },
  created_at: "2026-11-01T10:00:00Z",
  updated_at: "2026-11-02T10:00:00Z",
  merged: false,
  merged_at: null,
  merge_commit_sha: null,
  commits: 2,
  ...extra,
});

export function shaOf(text: string): string {
  let out = "";
  let h = 2166136261;
  for (let round = 0; out.length < 40; round++) {
    for (const ch of `${text}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 40);
}

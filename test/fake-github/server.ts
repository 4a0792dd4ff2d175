// biome-ignore-all lint/suspicious/noAssignInExpressions: the router matches and captures in one step per route

import { readdirSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  defaultFixtures,
  type FakeCommit,
  type FakeGithubData,
  type FakePull,
  type FakeRepo,
} from "./fixtures.ts";
import { type RecordedGitRequest, serveGit } from "./git-http.ts";

export type { RecordedGitRequest } from "./git-http.ts";

// A real HTTP server on 127.0.0.1 answering the GitHub REST endpoints Sentinel calls, from the
// data in fixtures.ts. Octokit reaches it through GITHUB_API_URL. Every request is recorded so
// tests can assert what was asked. A repository with a `gitDir` is also served over git's smart
// HTTP protocol at `${url}/{owner}/{name}.git` (see git-http.ts), recorded apart in `gitRequests`. Run it alone for a local demo: `node test/fake-github/server.ts`.

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  body: unknown;
}

/** A check run as GitHub holds it after the App's POST and PATCHes. */
export interface FakeCheckRun {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  details_url: string | null;
  external_id: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null };
  /** Every annotation sent, in order: GitHub appends those of each update. */
  annotations: Array<{
    path: string;
    start_line: number;
    end_line: number;
    annotation_level: string;
    title?: string;
    message: string;
  }>;
  /** Requests that wrote it: the create, then each update. */
  writes: Array<{ method: "POST" | "PATCH"; at: number; status: string; annotations: number }>;
}

export interface FakeGithub {
  url: string;
  /** Check runs created by the App, in creation order. */
  checkRuns: FakeCheckRun[];
  data: FakeGithubData;
  /** REST API calls (git traffic is in `gitRequests`). */
  requests: RecordedRequest[];
  /** Git smart-HTTP requests, so benchmarks can count API calls per commit without them. */
  gitRequests: RecordedGitRequest[];
  /** Redelivery attempts asked for, by hook delivery id. */
  redeliveries: number[];
  /** Tokens handed out, so tests can see they are reused until they expire. */
  tokensIssued: number;
  /** Answer the next `count` requests whose path matches with this status (retry tests). */
  failNext(pathPattern: RegExp, status: number, count?: number): void;
  /**
   * Makes every installation token issued so far invalid (401 on REST and git), as if expired; with
   * `afterGitRequests`, only once that many more git requests have been answered (expiry mid-fetch).
   */
  expireTokens(afterGitRequests?: number): void;
  close(): Promise<void>;
}

const FILES_PER_PAGE = 300;

export async function startFakeGithub(
  options: { data?: FakeGithubData; port?: number } = {},
): Promise<FakeGithub> {
  const data = options.data ?? defaultFixtures();
  const requests: RecordedRequest[] = [];
  const gitRequests: RecordedGitRequest[] = [];
  const issuedTokens = new Set<string>();
  let expireAfterGitRequests: number | null = null;
  const redeliveries: number[] = [];
  const checkRuns: FakeCheckRun[] = [];
  const failures: { pattern: RegExp; status: number; left: number }[] = [];
  let tokensIssued = 0;
  let baseUrl = "";

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      send(res, 500, { message: error instanceof Error ? error.message : String(error) });
    });
  });

  /** An installation token this fake issued and has not expired. */
  function validToken(token: string | undefined): boolean {
    return token !== undefined && issuedTokens.has(token);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", baseUrl);
    const git = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    if (git) return handleGit(req, res, url, git[1] ?? "", git[2] ?? "", git[3] ?? "");
    const body = await readJson(req);
    const query = Object.fromEntries(url.searchParams);
    requests.push({
      method: req.method ?? "GET",
      path: url.pathname,
      query,
      authorization: req.headers.authorization ?? null,
      body,
    });
    const failure = failures.find((f) => f.left > 0 && f.pattern.test(url.pathname));
    if (failure) {
      failure.left--;
      return send(res, failure.status, { message: "injected failure" });
    }
    const auth = req.headers.authorization ?? "";
    const path = url.pathname;
    let m: RegExpExecArray | null;

    // --- App-level endpoints: authenticated with the App's JWT.
    if ((m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path)) && req.method === "POST") {
      if (!/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i.test(auth))
        return send(res, 401, { message: "A JSON web token is required" });
      const installation = data.installations.find((i) => i.id === Number(m?.[1]));
      if (!installation) return send(res, 404, { message: "Not Found" });
      tokensIssued++;
      const token = `ghs_fake${installation.id}x${tokensIssued}`;
      issuedTokens.add(token);
      return send(res, 201, {
        token,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: {
          contents: "read",
          pull_requests: "read",
          deployments: "read",
          metadata: "read",
          checks: "write",
        },
        repository_selection: installation.repository_selection,
      });
    }
    if ((m = /^\/app\/installations\/(\d+)$/.exec(path)) && req.method === "GET") {
      if (!/^bearer /i.test(auth)) return send(res, 401, { message: "A JSON web token is required" });
      const installation = data.installations.find((i) => i.id === Number(m?.[1]));
      if (!installation) return send(res, 404, { message: "Not Found" });
      return send(res, 200, {
        ...installation,
        app_id: 1,
        target_type: installation.account.type,
        suspended_at: null,
      });
    }
    if (path === "/app/hook/deliveries" && req.method === "GET") {
      if (!/^bearer /i.test(auth)) return send(res, 401, { message: "A JSON web token is required" });
      const sorted = [...data.hookDeliveries].sort((a, b) => b.id - a.id);
      const perPage = Number(query.per_page ?? 30);
      const start = query.cursor ? sorted.findIndex((d) => d.id < Number(query.cursor)) : 0;
      const page = start < 0 ? [] : sorted.slice(start, start + perPage);
      const last = page.at(-1);
      if (last && start + perPage < sorted.length) {
        res.setHeader(
          "link",
          `<${baseUrl}/app/hook/deliveries?per_page=${perPage}&cursor=${last.id}>; rel="next"`,
        );
      }
      return send(res, 200, page);
    }
    if ((m = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/.exec(path)) && req.method === "POST") {
      if (!/^bearer /i.test(auth)) return send(res, 401, { message: "A JSON web token is required" });
      const id = Number(m[1]);
      if (!data.hookDeliveries.some((d) => d.id === id)) return send(res, 404, { message: "Not Found" });
      redeliveries.push(id);
      return send(res, 202, {});
    }

    // --- User endpoints: authenticated with a person's OAuth token.
    if (path === "/user/installations" && req.method === "GET") {
      const token = /^(?:token|bearer) (gho_\w+)$/i.exec(auth)?.[1];
      const visible = token ? data.userInstallations?.[token] : undefined;
      if (!visible) return send(res, 401, { message: "Bad credentials" });
      const perPage = Math.min(100, Number(query.per_page ?? 30));
      const page = Math.max(1, Number(query.page ?? 1));
      const all = data.installations.filter((i) => visible.includes(i.id));
      if (page * perPage < all.length) {
        const next = new URL(url);
        next.searchParams.set("page", String(page + 1));
        res.setHeader("link", `<${next.toString()}>; rel="next"`);
      }
      const items = all.slice((page - 1) * perPage, page * perPage);
      return send(res, 200, {
        total_count: all.length,
        installations: items.map((i) => ({ ...i, app_id: 1 })),
      });
    }

    // --- Repository endpoints: authenticated with an installation token.
    if (!validToken(/^(?:token|Bearer) (ghs_\w+)$/.exec(auth)?.[1]))
      return send(res, 401, { message: "Bad credentials" });
    if ((m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path)) && req.method === "GET") {
      const members = data.teams?.[`${m[1]}/${m[2]}`.toLowerCase()] ?? [];
      const login = (m[3] ?? "").toLowerCase();
      if (!members.some((u) => u.toLowerCase() === login)) return send(res, 404, { message: "Not Found" });
      return send(res, 200, { state: "active", role: "member" });
    }
    if (!(m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path)))
      return send(res, 404, { message: "Not Found" });
    const repo = data.repos.find((r) => r.owner === m?.[1] && r.name === m?.[2]);
    if (!repo) return send(res, 404, { message: "Not Found" });
    const rest = m[3] ?? "";
    const page = Math.max(1, Number(query.page ?? 1));
    const perPage = Math.min(100, Number(query.per_page ?? 30));
    const paged = <T>(items: T[], size = perPage): T[] => {
      if (page * size < items.length) {
        const next = new URL(url);
        next.searchParams.set("page", String(page + 1));
        res.setHeader("link", `<${next.toString()}>; rel="next"`);
      }
      return items.slice((page - 1) * size, page * size);
    };

    if (rest === "") return send(res, 200, repoJson(repo));
    if (rest === "/check-runs" && req.method === "POST") return createCheckRun(res, repo, body);
    if ((m = /^\/check-runs\/(\d+)$/.exec(rest)) && req.method === "PATCH")
      return updateCheckRun(res, repo, Number(m[1]), body);
    if ((m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const pull = repo.pulls.find((p) => p.number === Number(m?.[1]));
      if (!pull) return send(res, 404, { message: "Not Found" });
      return send(res, 200, paged(pull.reviews ?? []));
    }
    if (rest === "/commits") {
      const since = query.since ? Date.parse(query.since) : Number.NEGATIVE_INFINITY;
      const list = repo.commits.filter((c) => Date.parse(c.author.date) >= since);
      return send(
        res,
        200,
        paged(list).map((c) => commitJson(repo, c)),
      );
    }
    if ((m = /^\/commits\/([0-9a-f]{7,40})$/.exec(rest))) {
      const commit = repo.commits.find((c) => c.sha.startsWith(m?.[1] ?? "-"));
      if (!commit) return send(res, 422, { message: "No commit found for SHA" });
      // GitHub lists at most 300 files per page of a single commit, with Link headers for more.
      const filesPage = paged(commit.files, FILES_PER_PAGE);
      return send(res, 200, { ...commitJson(repo, commit), stats: stats(commit), files: filesPage });
    }
    if ((m = /^\/compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})$/.exec(rest))) {
      const baseIndex = repo.commits.findIndex((c) => c.sha === m?.[1]);
      const headIndex = repo.commits.findIndex((c) => c.sha === m?.[2]);
      if (baseIndex < 0 || headIndex < 0) return send(res, 404, { message: "Not Found" });
      // Oldest first, as GitHub's compare lists them.
      const between = repo.commits.slice(headIndex, baseIndex).reverse();
      const commits = paged(between, Math.min(250, Number(query.per_page ?? 250)));
      return send(res, 200, {
        status: "ahead",
        ahead_by: between.length,
        behind_by: 0,
        total_commits: between.length,
        commits: commits.map((c) => commitJson(repo, c)),
        files: [],
      });
    }
    if ((m = /^\/pulls\/(\d+)(\/commits)?$/.exec(rest))) {
      const pull = repo.pulls.find((p) => p.number === Number(m?.[1]));
      if (!pull) return send(res, 404, { message: "Not Found" });
      if (m[2]) {
        const commits = pull.commits.flatMap((sha) => repo.commits.filter((c) => c.sha === sha));
        return send(
          res,
          200,
          paged(commits).map((c) => commitJson(repo, c)),
        );
      }
      return send(res, 200, pullJson(repo, pull));
    }
    if (rest === "/pulls") {
      const state = query.state ?? "open";
      const list = repo.pulls
        .filter((p) => state === "all" || p.state === state)
        .sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at));
      return send(
        res,
        200,
        paged(list).map((p) => pullJson(repo, p)),
      );
    }
    if (rest === "/deployments") {
      const list = [...repo.deployments].sort((a, b) => b.id - a.id);
      return send(
        res,
        200,
        paged(list).map(({ statuses: _statuses, ...d }) => ({
          ...d,
          url: `${baseUrl}/repos/${repo.owner}/${repo.name}/deployments/${d.id}`,
          task: "deploy",
          original_environment: d.environment,
          production_environment: d.environment === "production",
          creator: { login: "deploy-bot[bot]", type: "Bot" },
          updated_at: d.created_at,
        })),
      );
    }
    if ((m = /^\/deployments\/(\d+)\/statuses$/.exec(rest))) {
      const deployment = repo.deployments.find((d) => d.id === Number(m?.[1]));
      if (!deployment) return send(res, 404, { message: "Not Found" });
      const list = [...deployment.statuses].sort((a, b) => b.id - a.id);
      return send(
        res,
        200,
        paged(list).map((s) => ({
          ...s,
          creator: { login: "deploy-bot[bot]", type: "Bot" },
          updated_at: s.created_at,
        })),
      );
    }
    return send(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  }

  /** Git's smart HTTP for a repository with a `gitDir`, behind the same token check as REST. */
  async function handleGit(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    owner: string,
    name: string,
    pathInRepo: string,
  ): Promise<void> {
    const service = url.searchParams.get("service") ?? (/\/(git-[a-z-]+)$/.exec(pathInRepo)?.[1] || null);
    const record: RecordedGitRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      service,
      status: 0,
      responseBytes: 0,
    };
    gitRequests.push(record);
    if (expireAfterGitRequests !== null && expireAfterGitRequests-- <= 0) {
      issuedTokens.clear();
      expireAfterGitRequests = null;
    }
    const repo = data.repos.find((r) => r.owner === owner && r.name === name && r.gitDir);
    const basic = /^basic (\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const [user, token] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":", 2) : [];
    if (user !== "x-access-token" || !validToken(token)) {
      req.resume();
      record.status = 401;
      res.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain" });
      res.end("Invalid username or token.\n");
      return;
    }
    if (!repo?.gitDir || pathInRepo.includes("git-receive-pack")) {
      req.resume();
      record.status = 404;
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Repository not found.\n");
      return;
    }
    Object.assign(
      record,
      await serveGit(req, res, {
        gitDir: repo.gitDir,
        pathInRepo,
        query: url.search.slice(1),
        remoteUser: user,
      }),
    );
  }

  const CHECK_STATUSES = new Set(["queued", "in_progress", "completed"]);
  const CONCLUSIONS = new Set([
    "success",
    "failure",
    "neutral",
    "cancelled",
    "skipped",
    "timed_out",
    "action_required",
  ]);
  type CheckOutput = { title?: string; summary?: string; annotations?: FakeCheckRun["annotations"] };

  /** GitHub's own checks on a check run's fields: what it would refuse with 422, this refuses too. */
  function checkRunError(fields: Record<string, unknown>): string | null {
    if (fields.status !== undefined && !CHECK_STATUSES.has(String(fields.status))) return "invalid status";
    if (fields.conclusion !== undefined && !CONCLUSIONS.has(String(fields.conclusion)))
      return "invalid conclusion";
    if (fields.status === "completed" && fields.conclusion === undefined)
      return "conclusion is required when status is completed";
    const output = fields.output as CheckOutput | undefined;
    if (output !== undefined) {
      if (typeof output.title !== "string" || typeof output.summary !== "string")
        return "output needs title and summary";
      if (output.summary.length > 65_535) return "output.summary is too long (maximum is 65535 characters)";
      if ((output.annotations?.length ?? 0) > 50) return "only 50 annotations are allowed per request";
      for (const a of output.annotations ?? []) {
        if (!a.path || !Number.isInteger(a.start_line) || !Number.isInteger(a.end_line) || !a.message)
          return "annotation needs path, start_line, end_line and message";
        if (!["notice", "warning", "failure"].includes(a.annotation_level)) return "invalid annotation_level";
      }
    }
    return null;
  }

  function applyOutput(run: FakeCheckRun, output: CheckOutput | undefined): number {
    if (!output) return 0;
    run.output = { title: output.title ?? null, summary: output.summary ?? null };
    run.annotations.push(...(output.annotations ?? []));
    return output.annotations?.length ?? 0;
  }

  function createCheckRun(res: ServerResponse, repo: FakeRepo, body: unknown) {
    const fields = (body ?? {}) as Record<string, unknown>;
    if (typeof fields.name !== "string" || !/^[0-9a-f]{40}$/.test(String(fields.head_sha)))
      return send(res, 422, { message: "name and head_sha are required" });
    const error = checkRunError(fields);
    if (error) return send(res, 422, { message: error });
    const run: FakeCheckRun = {
      id: 9000 + checkRuns.length + 1,
      repo: `${repo.owner}/${repo.name}`,
      name: fields.name,
      head_sha: String(fields.head_sha),
      status: (fields.conclusion ? "completed" : (fields.status ?? "queued")) as FakeCheckRun["status"],
      conclusion: (fields.conclusion as string | undefined) ?? null,
      details_url: (fields.details_url as string | undefined) ?? null,
      external_id: (fields.external_id as string | undefined) ?? null,
      started_at: (fields.started_at as string | undefined) ?? null,
      completed_at: (fields.completed_at as string | undefined) ?? null,
      output: { title: null, summary: null },
      annotations: [],
      writes: [],
    };
    const added = applyOutput(run, fields.output as CheckOutput | undefined);
    run.writes.push({ method: "POST", at: Date.now(), status: run.status, annotations: added });
    checkRuns.push(run);
    return send(res, 201, run);
  }

  function updateCheckRun(res: ServerResponse, repo: FakeRepo, id: number, body: unknown) {
    const run = checkRuns.find((r) => r.id === id && r.repo === `${repo.owner}/${repo.name}`);
    if (!run) return send(res, 404, { message: "Not Found" });
    const fields = (body ?? {}) as Record<string, unknown>;
    const error = checkRunError(fields);
    if (error) return send(res, 422, { message: error });
    if (fields.conclusion !== undefined) {
      run.conclusion = String(fields.conclusion);
      run.status = "completed";
    } else if (fields.status !== undefined) run.status = fields.status as FakeCheckRun["status"];
    if (fields.details_url !== undefined) run.details_url = String(fields.details_url);
    if (fields.completed_at !== undefined) run.completed_at = String(fields.completed_at);
    const added = applyOutput(run, fields.output as CheckOutput | undefined);
    run.writes.push({ method: "PATCH", at: Date.now(), status: run.status, annotations: added });
    return send(res, 200, run);
  }

  function repoJson(repo: FakeRepo) {
    return {
      id: repo.id,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      private: repo.private,
      default_branch: repo.default_branch,
      html_url: `https://github.com/${repo.owner}/${repo.name}`,
      clone_url: `${baseUrl}/${repo.owner}/${repo.name}.git`,
      size: repo.gitDir ? diskKb(repo.gitDir) : 0,
      owner: { login: repo.owner },
    };
  }

  function commitJson(repo: FakeRepo, c: FakeCommit) {
    const person = { name: c.author.name, email: c.author.email, date: c.author.date };
    return {
      sha: c.sha,
      commit: { message: c.message, author: person, committer: person },
      author: c.author.login ? { login: c.author.login, type: "User" } : null,
      committer: c.author.login ? { login: c.author.login, type: "User" } : null,
      parents: c.parents.map((sha) => ({ sha })),
      html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${c.sha}`,
    };
  }

  function pullJson(repo: FakeRepo, p: FakePull) {
    const { commits, ...rest } = p;
    return {
      ...rest,
      html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${p.number}`,
      merged: p.merged_at !== null,
      commits: commits.length,
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    checkRuns,
    data,
    requests,
    gitRequests,
    redeliveries,
    get tokensIssued() {
      return tokensIssued;
    },
    failNext(pattern, status, count = 1) {
      failures.push({ pattern, status, left: count });
    },
    expireTokens(afterGitRequests = 0) {
      if (afterGitRequests > 0) expireAfterGitRequests = afterGitRequests;
      else issuedTokens.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Size of a bare repository in KB, as GitHub's `size` field reports it (roughly: the object store). */
function diskKb(gitDir: string): number {
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) bytes += statSync(path).size;
    }
  };
  walk(join(gitDir, "objects"));
  return Math.ceil(bytes / 1024);
}

function stats(c: FakeCommit) {
  const additions = c.files.reduce((n, f) => n + f.additions, 0);
  const deletions = c.files.reduce((n, f) => n + f.deletions, 0);
  return { additions, deletions, total: additions + deletions };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return null;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
  });
  res.end(text);
}

// `node test/fake-github/server.ts [--port 3999]`: serve the default fixtures until stopped.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const portArg = process.argv.indexOf("--port");
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;
  const fake = await startFakeGithub({ port });
  process.stdout.write(`fake GitHub listening on ${fake.url} (set GITHUB_API_URL=${fake.url})\n`);
}

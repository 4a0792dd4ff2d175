import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { type DatabaseHandle, openDatabase } from "../../src/server/db/client.ts";
import { signBody } from "../../src/server/github/verify.ts";
import { type FakeGithub, startFakeGithub } from "../fake-github/server.ts";
import { createInstallation, createOrg, createRepository } from "../github/helpers.ts";
import { pgbouncerBinary, startPgBouncer } from "../helpers/pgbouncer.ts";

// Sentinel as deployed on several machines, on one: N servers (`npm start` with
// SENTINEL_WORKERS=false) and M workers (`npm run worker`) as real child processes on one fresh
// PostgreSQL database — through a real PgBouncer in transaction mode when it is installed — with a
// fake GitHub serving a real git repository. Used by test/cluster/multi-process.postgres.test.ts
// and `npm run bench -- scale`.

const ROOT = resolve(import.meta.dirname, "../..");
export const WEBHOOK_SECRET = "cluster-webhook-secret";
export const INSTALLATION_ID = 8080;
const REPO_GITHUB_ID = 808;
const OWNER = "acme";
const NAME = "fleet";

export interface ServedCommit {
  sha: string;
  parent: string | null;
  /** ISO date, the same in git and in the push payload. */
  date: string;
  message: string;
  files: string[];
}

/**
 * A bare repository of `count` commits on main, written with one `git fast-import`: each commit
 * adds a file and edits one of 20 shared modules; every third carries an AI co-author trailer.
 */
export function buildRepository(dir: string, count: number): ServedCommit[] {
  execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", dir]);
  const chunks: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const start = Date.UTC(2026, 9, 1, 9, 0, 0) / 1000;
  const planned: Omit<ServedCommit, "sha" | "parent">[] = [];
  for (let i = 0; i < count; i++) {
    // Spread over about three weeks, so roll-ups have several days, weeks and two months.
    const seconds = start + i * 3 * 3600;
    const ai = i % 3 === 0;
    const message = `Change ${i} to module ${i % 20}${ai ? "\n\nCo-Authored-By: Claude <noreply@anthropic.com>" : ""}`;
    const shared = `src/module-${i % 20}.ts`;
    const added = `src/feature-${i}.ts`;
    chunks.push(
      `commit refs/heads/main\nmark :${i + 1}\n`,
      `author Ada <ada@example.com> ${seconds} +0000\ncommitter Ada <ada@example.com> ${seconds} +0000\n`,
      data(message),
      i > 0 ? `from :${i}\n` : "",
      `M 100644 inline ${shared}\n`,
      data(
        Array.from(
          { length: 5 + (i % 7) },
          (_, l) => `export const value${l} = ${i * 100 + l}; // revision ${i}`,
        ).join("\n"),
      ),
      `M 100644 inline ${added}\n`,
      data(
        `export function feature${i}(input: number): number {\n  const scaled = input * ${i + 1};\n  return scaled + ${i};\n}\n`,
      ),
    );
    planned.push({ date: new Date(seconds * 1000).toISOString(), message, files: [shared, added] });
  }
  execFileSync("git", ["--git-dir", dir, "fast-import", "--quiet"], { input: chunks.join("") });
  const shas = execFileSync("git", ["--git-dir", dir, "rev-list", "--reverse", "main"], { encoding: "utf8" })
    .trim()
    .split("\n");
  return planned.map((p, i) => ({ ...p, sha: shas[i] ?? "", parent: i > 0 ? (shas[i - 1] ?? null) : null }));
}

/** The push webhook GitHub sends for `commits` (oldest first) onto main. */
export function pushBody(commits: ServedCommit[], githubUrl: string): string {
  return JSON.stringify({
    ref: "refs/heads/main",
    before: commits[0]?.parent ?? "0".repeat(40),
    after: commits.at(-1)?.sha,
    created: false,
    deleted: false,
    forced: false,
    compare: "",
    commits: commits.map((c) => ({
      id: c.sha,
      tree_id: c.sha,
      distinct: true,
      message: c.message,
      timestamp: c.date,
      url: `https://github.com/${OWNER}/${NAME}/commit/${c.sha}`,
      author: { name: "Ada", email: "ada@example.com", username: "ada" },
      committer: { name: "Ada", email: "ada@example.com", username: "ada" },
      added: [],
      removed: [],
      modified: c.files,
    })),
    head_commit: null,
    repository: {
      id: REPO_GITHUB_ID,
      full_name: `${OWNER}/${NAME}`,
      name: NAME,
      private: true,
      default_branch: "main",
      owner: { login: OWNER, id: 80 },
      clone_url: `${githubUrl}/${OWNER}/${NAME}.git`,
    },
    installation: { id: INSTALLATION_ID },
    sender: { login: "ada", id: 1, type: "User" },
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

export type Role = "server" | "worker";

/** One Sentinel process: restartable with the same environment (and, for a server, the same port). */
export class SentinelProcess {
  readonly role: Role;
  readonly name: string;
  readonly url: string | null;
  readonly #env: NodeJS.ProcessEnv;
  #child: ChildProcess | null = null;
  #output = "";
  starts = 0;

  constructor(role: Role, name: string, env: NodeJS.ProcessEnv, port: number | null) {
    this.role = role;
    this.name = name;
    this.#env = env;
    this.url = port === null ? null : `http://127.0.0.1:${port}`;
  }

  /** Starts the process and resolves once it serves HTTP (server) or has registered its workers. */
  async start(timeoutMs = 240_000): Promise<void> {
    const entry = join(ROOT, this.role === "server" ? "src/server/main.ts" : "src/server/worker.ts");
    const child = spawn(process.execPath, [entry], {
      cwd: ROOT,
      env: this.#env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    this.starts++;
    this.#output = "";
    let ready = false;
    const onData = (chunk: Buffer) => {
      // Only the last few KiB are kept, for the error message of a process that dies.
      this.#output = (this.#output + chunk.toString()).slice(-8000);
      if (this.role === "worker" && this.#output.includes("Sentinel workers started")) ready = true;
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const deadline = Date.now() + timeoutMs;
    while (!ready) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `${this.name} exited during start-up (${child.exitCode ?? child.signalCode}): ${this.#output}`,
        );
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not start in ${timeoutMs} ms: ${this.#output}`);
      if (this.url) {
        const health = await fetch(`${this.url}/api/health`).catch(() => null);
        if (health?.ok) ready = true;
      }
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: no shutdown hook runs, in-flight requests and jobs are cut off. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }

  /** SIGTERM, as an orchestrator stops a process; SIGKILL if it does not exit in 15 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface Cluster {
  /** The database as the processes reach it (through PgBouncer when it runs). */
  appDatabaseUrl: string;
  /** The database directly on the server, for the test's own reads and writes. */
  directDatabaseUrl: string;
  topology: "pgbouncer" | "direct";
  github: FakeGithub;
  commits: ServedCommit[];
  servers: SentinelProcess[];
  workers: SentinelProcess[];
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** The PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/test */
  serverUrl: string;
  servers: number;
  workers: number;
  commits: number;
  /** Use PgBouncer when installed (default), or never. */
  pgbouncer?: boolean;
}

function databaseUrl(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(server: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Creates a fresh empty database and starts every process on it at once: they race to migrate it
 * (one wins the lock, the others find it done). Resolves when all serve or have registered.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const work = mkdtempSync(join(tmpdir(), "sentinel-cluster-"));
  const gitDir = join(work, `${NAME}.git`);
  const commits = buildRepository(gitDir, options.commits);
  const github = await startFakeGithub({
    data: {
      installations: [
        {
          id: INSTALLATION_ID,
          account: { login: OWNER, id: 80, type: "Organization" },
          repository_selection: "all",
        },
      ],
      hookDeliveries: [],
      repos: [
        {
          id: REPO_GITHUB_ID,
          owner: OWNER,
          name: NAME,
          default_branch: "main",
          private: true,
          commits: [],
          pulls: [],
          deployments: [],
          gitDir,
        },
      ],
    },
  });
  const database = `sentinel_cluster_${randomBytes(4).toString("hex")}`;
  await admin(options.serverUrl, `CREATE DATABASE ${database}`);
  const directDatabaseUrl = databaseUrl(options.serverUrl, database);
  const usePgBouncer = options.pgbouncer !== false && pgbouncerBinary() !== null;
  const bouncer = usePgBouncer ? await startPgBouncer(options.serverUrl, { poolSize: 20 }) : null;
  const appDatabaseUrl = bouncer ? bouncer.url(database) : directDatabaseUrl;
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    DATABASE_URL: appDatabaseUrl,
    DATABASE_POOL_MODE: bouncer ? "transaction" : "session",
    // Five processes' pools (plus 4 each for the queue) stay well inside max_connections when direct.
    DATABASE_POOL_SIZE: "6",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    SENTINEL_SEED_ON_START: "false",
    BETTER_AUTH_SECRET: "cluster-secret-cluster-secret-cluster-secret",
    GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    GITHUB_APP_ID: "1",
    GITHUB_APP_PRIVATE_KEY: privateKey,
    GITHUB_API_URL: github.url,
  };
  const servers: SentinelProcess[] = [];
  for (let i = 0; i < options.servers; i++) {
    const port = await freePort();
    servers.push(
      new SentinelProcess(
        "server",
        `server-${i + 1}`,
        {
          ...base,
          PORT: String(port),
          SENTINEL_WORKERS: "false",
          SENTINEL_PUBLIC_URL: `http://127.0.0.1:${port}`,
          SENTINEL_DATA_DIR: join(work, `server-${i + 1}`),
        },
        port,
      ),
    );
  }
  // Each worker has its own mirrors, as on machines of its own.
  const workers = Array.from(
    { length: options.workers },
    (_, i) =>
      new SentinelProcess(
        "worker",
        `worker-${i + 1}`,
        { ...base, SENTINEL_DATA_DIR: join(work, `worker-${i + 1}`) },
        null,
      ),
  );
  const everyone = [...servers, ...workers];
  const stop = async () => {
    await Promise.all(everyone.map((p) => p.stop()));
    await bouncer?.stop();
    await github.close();
    await admin(options.serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
    rmSync(work, { recursive: true, force: true });
  };
  try {
    await Promise.all(everyone.map((p) => p.start()));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    appDatabaseUrl,
    directDatabaseUrl,
    topology: bouncer ? "pgbouncer" : "direct",
    github,
    commits,
    servers,
    workers,
    stop,
  };
}

/**
 * Opens the cluster's database directly and connects the served repository to an organization
 * through the App's installation, as the setup flow would.
 */
export async function connectRepository(
  cluster: Cluster,
): Promise<{ handle: DatabaseHandle; orgId: string; repoId: string }> {
  const handle = await openDatabase({ url: cluster.directDatabaseUrl, max: 4 });
  const org = await createOrg(handle.db);
  await createInstallation(handle.db, INSTALLATION_ID, org.id);
  const repoId = await createRepository(handle.db, org.id, INSTALLATION_ID, REPO_GITHUB_ID, {
    fullName: `${OWNER}/${NAME}`,
  });
  return { handle, orgId: org.id, repoId };
}

export interface PreparedDelivery {
  deliveryId: string;
  body: string;
  signature: string;
  commits: string[];
}

/** One push delivery per `perPush` consecutive commits, signed as GitHub signs them. */
export function prepareDeliveries(
  commits: ServedCommit[],
  perPush: number,
  githubUrl: string,
): PreparedDelivery[] {
  const deliveries: PreparedDelivery[] = [];
  for (let i = 0; i < commits.length; i += perPush) {
    const slice = commits.slice(i, i + perPush);
    const body = pushBody(slice, githubUrl);
    deliveries.push({
      deliveryId: randomUUID(),
      body,
      signature: signBody(WEBHOOK_SECRET, body),
      commits: slice.map((c) => c.sha),
    });
  }
  return deliveries;
}

export interface LoadResult {
  /** Delivery ids answered 2xx, each with the status of its acknowledgement. */
  acknowledged: Map<string, number>;
  /** Attempts that failed (connection cut, 5xx) and were sent again, as GitHub redelivers. */
  retried: number;
  seconds: number;
}

/**
 * Posts every delivery round-robin over `targets` (what a load balancer does), `concurrency` at a
 * time. A delivery whose attempt fails (a server killed mid-request, 503) goes to the next server
 * with the same delivery id, until one acknowledges it. `onAcknowledged` sees the running count.
 */
export async function driveLoad(
  targets: () => string[],
  deliveries: PreparedDelivery[],
  concurrency: number,
  onAcknowledged?: (count: number) => Promise<void> | void,
): Promise<LoadResult> {
  const acknowledged = new Map<string, number>();
  let retried = 0;
  let next = 0;
  let turn = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < deliveries.length; i = next++) {
        const d = deliveries[i] as PreparedDelivery;
        for (let attempt = 0; ; attempt++) {
          if (attempt > 50) throw new Error(`delivery ${d.deliveryId} was never acknowledged`);
          const urls = targets();
          const url = urls[turn++ % urls.length];
          const response = await fetch(`${url}/api/webhooks/github`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-github-event": "push",
              "x-github-delivery": d.deliveryId,
              "x-hub-signature-256": d.signature,
            },
            body: d.body,
            signal: AbortSignal.timeout(30_000),
          }).catch(() => null);
          await response?.arrayBuffer().catch(() => null);
          if (response && response.status < 300) {
            acknowledged.set(d.deliveryId, response.status);
            await onAcknowledged?.(acknowledged.size);
            break;
          }
          if (response && response.status < 500) throw new Error(`delivery refused with ${response.status}`);
          retried++;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }),
  );
  return { acknowledged, retried, seconds: (performance.now() - started) / 1000 };
}

/** Polls `check` until it returns true (or throws after `timeoutMs`, naming `what`). */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

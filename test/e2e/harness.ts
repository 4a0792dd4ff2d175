import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "../../scripts/build-inputs.ts";
import { ensureDashboardBuilt } from "../../scripts/dashboard-build.ts";
import { type DatabaseHandle, openDatabase } from "../../src/server/db/client.ts";
import { migrateDatabase } from "../../src/server/db/migrate.ts";
import { loadEnv } from "../../src/server/env.ts";
import { DEMO_CREDENTIALS, seedDatabase } from "../../src/server/seed/index.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { rebuildAllMetrics } from "../../src/server/services/metrics/roll-up.ts";
import { ensureRollUpQueue } from "../../src/server/workers/metrics.ts";
import { resolveChromium } from "../helpers/chromium.ts";

// A seeded Sentinel on embedded PGlite in a temporary SENTINEL_DATA_DIR, served in-process, and
// Chromium driven headless with everything that would reach the internet switched off: the
// system's (Debian's, in CI), else the one an npm package ships (test/helpers/chromium.ts).

export const SCREENSHOT_DIR = join(REPO_ROOT, "test-results/e2e");
export const GITHUB_APP_SLUG = "sentinel-e2e";
export { DEMO_CREDENTIALS };

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** A port that was free a moment ago: Better Auth must know its public origin before listening. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface SeededServer {
  url: string;
  handle: DatabaseHandle;
  server: RunningServer;
  dataDir: string;
  stop(): Promise<void>;
}

/** Seeds a fresh embedded database (anchored today), rolls up its metrics and starts the server. */
export async function startSeededServer(options: { githubAppSlug?: string } = {}): Promise<SeededServer> {
  if (!ensureDashboardBuilt()) throw new Error("vite build failed");
  const dataDir = mkdtempSync(join(tmpdir(), "sentinel-e2e-"));
  const handle = await openDatabase({ dataDir });
  await migrateDatabase(handle);
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  await seedDatabase(handle.db, { anchor: today });
  await rebuildAllMetrics(handle.db);
  const port = await freePort();
  const env = loadEnv({
    NODE_ENV: "test",
    SENTINEL_DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "warn",
    SENTINEL_SEED_ON_START: "false",
    // The seeded data is complete and rolled up; no background job is needed to show it.
    SENTINEL_WORKERS: "false",
    ...(options.githubAppSlug ? { GITHUB_APP_SLUG: options.githubAppSlug } : {}),
  });
  const server = await startServer(env, { handle });
  // Without workers nothing creates the roll-up queue, and writes that request a roll-up (new
  // incidents, overrides) would fail on the missing queue; create it as the workers would.
  await ensureRollUpQueue(server.queue);
  return {
    url: server.url,
    handle,
    server,
    dataDir,
    stop: async () => {
      await server.stop();
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  const { executablePath, env, description } = await resolveChromium();
  if (env) console.info(`e2e: using ${description}`);
  // A plain launch gets a fresh temporary profile (user data dir) of its own, removed on close.
  return chromium.launch({ executablePath, env, headless: true, args: CHROMIUM_ARGS });
}

/** Console errors and uncaught exceptions of every page in a context; a test fails on any. */
export class PageErrors {
  readonly errors: string[] = [];
  /** Messages a test expects (a 4xx it provokes on purpose); everything else is a failure. */
  private readonly allowed: RegExp[] = [];

  watch(page: Page): void {
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = `${message.text()} (${message.location().url})`;
      if (!this.allowed.some((pattern) => pattern.test(text))) this.errors.push(`console: ${text}`);
    });
    page.on("pageerror", (error) => this.errors.push(`pageerror: ${error.message}`));
  }

  allow(pattern: RegExp): void {
    this.allowed.push(pattern);
  }
}

export interface Session {
  context: BrowserContext;
  page: Page;
  errors: PageErrors;
}

/** A new, cookie-less browser context and page, watched for errors. */
export async function openSession(browser: Browser, baseURL: string): Promise<Session> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1360, height: 900 },
    locale: "en-US",
    timezoneId: "Europe/Paris",
  });
  const errors = new PageErrors();
  context.on("page", (p) => errors.watch(p));
  const page = await context.newPage();
  return { context, page, errors };
}

/** Signs in through Better Auth's endpoint directly (the sign-in form has its own test). */
export async function signInByApi(
  session: Session,
  baseURL: string,
  email: string,
  password: string,
): Promise<void> {
  const response = await session.context.request.post(`${baseURL}/api/auth/sign-in/email`, {
    data: { email, password },
    headers: { origin: baseURL },
  });
  if (!response.ok())
    throw new Error(`sign-in as ${email} failed: ${response.status()} ${await response.text()}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // From the top, so the sticky header sits where it belongs in the full-page image.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}

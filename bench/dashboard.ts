import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { REPO_ROOT } from "../scripts/build-inputs.ts";
import {
  DEMO_CREDENTIALS,
  launchChromium,
  openSession,
  signInByApi,
  startSeededServer,
} from "../test/e2e/harness.ts";

// The dashboard's two figures: how much JavaScript the first page load needs (gzipped), and how
// long headless Chromium takes from navigation to a fully drawn overview on the seeded data.

export interface DashboardBench {
  initialJs: { files: string[]; bytes: number; gzipBytes: number };
  /** Every run in a new browser context: no HTTP cache, signed in by cookie. */
  overview: { runs: number; coldMs: number[]; medianMs: number; firstMs: number };
  seedMs: number;
}

/** The entry script and the modules index.html preloads: what must arrive before anything renders. */
export function initialJavaScript(distDir = join(REPO_ROOT, "dist/web")): DashboardBench["initialJs"] {
  const html = readFileSync(join(distDir, "index.html"), "utf8");
  const files = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
  ].map((m) => m[1] ?? "");
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const body = readFileSync(join(distDir, file));
    bytes += body.length;
    gzipBytes += gzipSync(body).length;
  }
  return { files, bytes, gzipBytes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export async function benchDashboard(options: { runs?: number } = {}): Promise<DashboardBench> {
  const runs = options.runs ?? 5;
  const seedStarted = performance.now();
  const seeded = await startSeededServer();
  const seedMs = Math.round(performance.now() - seedStarted);
  const initialJs = initialJavaScript();
  const browser = await launchChromium();
  const coldMs: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const session = await openSession(browser, seeded.url);
      await signInByApi(session, seeded.url, DEMO_CREDENTIALS.owner.email, DEMO_CREDENTIALS.owner.password);
      const started = performance.now();
      await session.page.goto("/o/acme");
      // Rendered: the DORA tiles, the repository ranking, and all three charts drawn.
      await session.page.getByTestId("dora-tiles").waitFor();
      await session.page.getByTestId("repository-ranking").waitFor();
      await session.page.waitForFunction(
        () => document.querySelectorAll("figure.chart svg.recharts-surface").length >= 3,
      );
      coldMs.push(Math.round(performance.now() - started));
      if (session.errors.errors.length > 0)
        throw new Error(`page errors: ${session.errors.errors.join("; ")}`);
      await session.context.close();
    }
  } finally {
    await browser.close();
    await seeded.stop();
  }
  return {
    initialJs,
    overview: { runs, coldMs, medianMs: median(coldMs), firstMs: coldMs[0] ?? 0 },
    seedMs,
  };
}

if (import.meta.main) {
  const result = await benchDashboard();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

import type { Command } from "commander";
import { inspectRepository, PathNotFoundError } from "../../git/repository.ts";
import { GitError, GitNotFoundError } from "../../git/run-git.ts";
import { type AnalysisDocument, serializeDocument } from "../analyze/json-document.ts";
import { createProgress, type Progress } from "../analyze/progress.ts";
import { renderText } from "../analyze/render-text.ts";
import { EXIT, UsageError } from "../exit.ts";

interface AnalyzeOptions {
  rev?: string[];
  since?: string;
  firstParent?: boolean;
  json?: boolean;
  store: boolean;
  org?: string;
  full?: boolean;
  limit: string;
  progress: boolean;
  survival: boolean;
}

export function registerAnalyzeCommand(program: Command): void {
  program
    .command("analyze")
    .description("Attribute every commit of a local git repository to AI or people, and summarise it")
    .argument("[path]", "a directory inside the repository", ".")
    .option(
      "--rev <revision>",
      "revision or range to read, as git takes it (repeatable); default: HEAD",
      collect,
    )
    .option("--since <date>", "only commits after this date (any date git understands)")
    .option("--first-parent", "follow first parents only; merges then carry their branch's diff")
    .option("--json", "print the JSON document (docs/cli.md) instead of the summary")
    .option("--no-store", "do not write the results to the database")
    .option(
      "--org <slug>",
      'store into this organization instead of "local" (it must exist), so its members see it in the dashboard',
    )
    .option("--full", "re-read the whole history even if an earlier analysis was stored")
    .option("--limit <n>", "rows in the top files and strongest evidence lists", "10")
    .option("--no-survival", "skip line survival, churn and reverts (a second pass over the history)")
    .option("--no-progress", "no progress bar, even on a terminal")
    .addHelpText(
      "after",
      `
Reads the history with one \`git log -p\` and runs the attribution engine on every commit; alongside,
follows every added line through a second \`git log\` (survival as \`git blame -w\` sees it, churn
within 14/30/90 days, reverts). By default the result is also stored (organization "local", or
--org), so \`npx sentinel serve\` shows it, and the next run reads only commits added since. Merge
commits carry no diff unless --first-parent.

Exit codes: 0 ok · 1 unexpected failure · 2 bad option · 3 path not found · 4 git or the database
unavailable · 5 not a git repository, empty, or git could not read the range`,
    )
    .action(async (path: string, options: AnalyzeOptions) => {
      try {
        await analyze(path, options);
      } catch (error) {
        const code = exitCodeFor(error);
        if (code === null) throw error;
        process.stderr.write(`sentinel: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = code;
      }
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Known failures get their own exit code; anything else goes to the top-level handler. */
function exitCodeFor(error: unknown): number | null {
  if (error instanceof PathNotFoundError) return EXIT.notFound;
  if (error instanceof GitNotFoundError) return EXIT.unavailable;
  if (error instanceof GitError) return EXIT.badRepository;
  return null;
}

async function analyze(path: string, options: AnalyzeOptions): Promise<void> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError("--limit must be a whole number from 1 to 1000");
  for (const value of [...(options.rev ?? []), options.since ?? ""]) {
    // Revisions go to git as arguments; one that starts with "-" would be read as an option.
    if (value.startsWith("-")) throw new UsageError(`invalid revision or date: ${value}`);
  }
  if (options.since !== undefined && options.since.trim() === "")
    throw new UsageError("--since needs a date");
  if (options.org !== undefined && !options.store)
    throw new UsageError("--org names where to store: drop --no-store");

  const revisions = options.rev && options.rev.length > 0 ? options.rev : null;
  const repo = await inspectRepository(path, { revGiven: revisions !== null });
  if (repo.detached && revisions === null) {
    process.stderr.write(
      `sentinel: HEAD is detached at ${repo.head?.slice(0, 7)}; analysing its history (--rev <branch> picks a branch)\n`,
    );
  }

  // Only worth a `git rev-list --count` when someone watches a terminal.
  const progress = options.progress && process.stderr.isTTY ? progressHooks() : undefined;
  const request = {
    repo,
    revisions,
    since: options.since,
    firstParent: options.firstParent ?? false,
    limit,
    progress,
    survival: options.survival,
  };

  // The engine loads only when this command runs, so other commands do not pay for it at start-up.
  const { runAnalysis } = await import("../analyze/run-analysis.ts");
  let document: AnalysisDocument;
  if (options.store) {
    // Loaded only when storing: the database driver is the slowest part of start-up.
    const [{ storeAnalysis }, { openConfiguredDatabase }, { env }] = await Promise.all([
      import("../analyze/store-analysis.ts"),
      import("../../server/server.ts"),
      import("../../server/env.ts"),
    ]);
    const { handle } = await openConfiguredDatabase(env());
    try {
      document = await storeAnalysis(handle.db, {
        ...request,
        full: options.full ?? false,
        organization: options.org ?? null,
      });
    } finally {
      await handle.close();
    }
  } else {
    ({ document } = await runAnalysis(request));
  }

  if (options.json) await writeChunks(serializeDocument(document));
  else await writeChunks([renderText(document)]);
}

function progressHooks() {
  let bar: Progress | null = null;
  return {
    start: (total: number) => {
      bar = createProgress(total);
    },
    tick: (done: number) => bar?.tick(done),
    done: () => bar?.done(),
  };
}

/** Writes to stdout respecting back-pressure; a reader that goes away (`| head`) ends us quietly. */
async function writeChunks(chunks: Iterable<string>): Promise<void> {
  const out = process.stdout;
  out.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(EXIT.ok);
  });
  let buffer = "";
  for (const chunk of chunks) {
    buffer += chunk;
    if (buffer.length < 1 << 16) continue;
    if (!out.write(buffer)) await new Promise((resolve) => out.once("drain", resolve));
    buffer = "";
  }
  if (buffer.length > 0 && !out.write(buffer)) await new Promise((resolve) => out.once("drain", resolve));
}

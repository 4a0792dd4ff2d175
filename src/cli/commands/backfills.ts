import type { Command } from "commander";
import { formatBytes } from "../../core/format-bytes.ts";
import { openConfiguredDatabase } from "../../server/composition.ts";
import { env } from "../../server/env.ts";
import { listRepositorySync, type RepositorySyncView } from "../../server/services/github/repository-sync.ts";
import { findOrganizationBySlug } from "../../server/services/organizations/find-organization-by-slug.ts";
import { UsageError } from "../exit.ts";

// `sentinel backfills`: each repository's history import (commits done of total, time left, read
// from git or REST and why) and its git mirror's size: what the repository settings page shows.

const BAR = 24;

function bar(done: number, total: number | null): string {
  if (!total) return "";
  const filled = Math.round(Math.min(1, done / total) * BAR);
  return `[${"█".repeat(filled)}${"░".repeat(BAR - filled)}] `;
}

const number = new Intl.NumberFormat("en-US");

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** One repository's import in words, with a bar while commits are read. */
export function describeImport(s: RepositorySyncView): string {
  const b = s.backfill;
  const from =
    b.source === "git"
      ? " · from git"
      : b.source === "rest"
        ? ` · through REST (${b.reason ?? "no mirror"})`
        : "";
  switch (b.status) {
    case null:
      return "not imported";
    case "queued":
      return "queued";
    case "done":
      return `done: ${number.format(b.commitsDone)} commits${from}`;
    case "failed":
      return `failed, will retry: ${b.error ?? "unknown error"}`;
    case "running": {
      if (b.phase !== "commits") return `running: ${b.phase ?? "starting"}`;
      const counted =
        b.commitsTotal === null
          ? `${number.format(b.commitsDone)} commits`
          : `${bar(b.commitsDone, b.commitsTotal)}${number.format(b.commitsDone)}/${number.format(b.commitsTotal)} commits`;
      const left = b.secondsLeft === null ? "" : ` · about ${duration(b.secondsLeft)} left`;
      return `${counted}${left}${from}`;
    }
  }
}

function describeMirror(s: RepositorySyncView): string {
  const m = s.mirror;
  if (m.status === "ready") return formatBytes(m.bytes ?? 0);
  if (m.status === null) return "-";
  return m.status === "too_large" ? "too large" : "unavailable";
}

/** The table `sentinel backfills` prints. */
export function formatBackfillTable(rows: RepositorySyncView[]): string {
  if (rows.length === 0) return "no repositories\n";
  const cells = rows.map((r) => [r.fullName, describeMirror(r), describeImport(r)]);
  const header = ["REPOSITORY", "MIRROR", "HISTORY IMPORT"];
  const widths = [0, 1].map((i) => Math.max(header[i]?.length ?? 0, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: string[]) =>
    `${(c[0] ?? "").padEnd(widths[0] ?? 0)}  ${(c[1] ?? "").padEnd(widths[1] ?? 0)}  ${c[2] ?? ""}`;
  return `${[line(header), ...cells.map(line)].join("\n")}\n`;
}

const active = (rows: RepositorySyncView[]) =>
  rows.some((r) => r.backfill.status === "queued" || r.backfill.status === "running");

export function registerBackfillsCommand(program: Command): void {
  program
    .command("backfills")
    .description("Each repository's history import (progress, time left, git or REST) and git mirror size")
    .requiredOption("--org <slug>", "the organization")
    .option("--watch", "redraw every 2 s until no import is queued or running")
    .option("--json", "print the state as JSON (one document; with --watch, one line per refresh)")
    .action(async (options: { org: string; watch?: boolean; json?: boolean }) => {
      if (!/^[a-z0-9-]{1,64}$/.test(options.org))
        throw new UsageError(`not an organization slug: ${options.org}`);
      const { handle } = await openConfiguredDatabase(env());
      try {
        const org = await findOrganizationBySlug(handle.db, options.org);
        const ctx = { db: handle.db, orgId: org.id, actor: { kind: "cli" as const } };
        const tty = process.stdout.isTTY && !options.json;
        for (;;) {
          const rows = await listRepositorySync(ctx);
          if (options.json)
            process.stdout.write(`${JSON.stringify({ items: rows }, null, options.watch ? 0 : 2)}\n`);
          else
            process.stdout.write(
              `${tty && options.watch ? "\u001b[H\u001b[J" : ""}${formatBackfillTable(rows)}`,
            );
          if (!options.watch || !active(rows)) return;
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
      } finally {
        await handle.close();
      }
    });
}

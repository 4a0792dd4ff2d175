import type { Command } from "commander";
import { formatBytes } from "../../core/format-bytes.ts";
import { infrastructureFromEnv, openConfiguredDatabase } from "../../server/composition.ts";
import type { Database } from "../../server/db/client.ts";
import { env } from "../../server/env.ts";
import type { MirrorEntry } from "../../server/mirror/eviction.ts";
import { repositoryNames } from "../../server/services/github/repositories.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Full names (`owner/name`) of the repositories whose mirrors are listed, by repository id. */
export async function mirrorRepositoryNames(
  db: Database,
  entries: MirrorEntry[],
): Promise<Map<string, string>> {
  const ids = entries.map((e) => e.repoId).filter((id) => UUID.test(id));
  if (ids.length === 0) return new Map();
  return repositoryNames(db, ids);
}

/** The table `sentinel mirrors list` prints: one mirror a line, largest first, then the total. */
export function formatMirrorTable(entries: MirrorEntry[], names: Map<string, string>, root: string): string {
  if (entries.length === 0) return `no mirrors in ${root}\n`;
  const rows = entries.map((e) => [
    e.repoId,
    names.get(e.repoId) ?? "-",
    formatBytes(e.bytes),
    e.lastUsedAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
  ]);
  const header = ["REPOSITORY ID", "FULL NAME", "SIZE", "LAST USED"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const total = entries.reduce((n, e) => n + e.bytes, 0);
  return `${[line(header), ...rows.map(line)].join("\n")}\n${entries.length} mirror${entries.length === 1 ? "" : "s"}, ${formatBytes(total)} in ${root}\n`;
}

export function registerMirrorsCommands(program: Command): void {
  const mirrors = program.command("mirrors").description("Inspect the git mirrors the GitHub App reads from");

  mirrors
    .command("list")
    .description("Every repository mirror on this machine: id, full name, disk use, last used")
    .action(async () => {
      const config = env();
      const store = infrastructureFromEnv(config).mirrors;
      const entries = await store.list();
      let names = new Map<string, string>();
      if (entries.length > 0) {
        const { handle } = await openConfiguredDatabase(config);
        try {
          names = await mirrorRepositoryNames(handle.db, entries);
        } finally {
          await handle.close();
        }
      }
      process.stdout.write(formatMirrorTable(entries, names, store.root));
    });
}

import type { Command } from "commander";
import { ZodError } from "zod";
import { API_KEY_SCOPES } from "../../core/permissions.ts";
import { openConfiguredDatabase } from "../../server/composition.ts";
import { env } from "../../server/env.ts";
import { createApiKey } from "../../server/services/api-keys/create-api-key.ts";
import { findOrganizationBySlug } from "../../server/services/organizations/find-organization-by-slug.ts";
import { UsageError } from "../exit.ts";

export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("Manage API keys");

  keys
    .command("create")
    .description("Create an API key and print it once (only its hash is stored)")
    .requiredOption("--org <slug>", "the organization's slug")
    .requiredOption("--name <name>", "what the key is for")
    .requiredOption("--scopes <scopes>", `comma- or space-separated: ${API_KEY_SCOPES.join(", ")}`)
    .option("--expires-in-days <days>", "expire after this many days")
    .action(async (options: { org: string; name: string; scopes: string; expiresInDays?: string }) => {
      const scopes = options.scopes.split(/[\s,]+/).filter(Boolean);
      const days = options.expiresInDays === undefined ? undefined : Number(options.expiresInDays);
      if (days !== undefined && !(Number.isInteger(days) && days > 0)) {
        throw new UsageError("--expires-in-days must be a positive whole number");
      }
      const { handle } = await openConfiguredDatabase(env());
      try {
        const org = await findOrganizationBySlug(handle.db, options.org);
        const created = await createApiKey(
          { db: handle.db, orgId: org.id, actor: { kind: "cli" } },
          {
            name: options.name,
            scopes: scopes as Array<(typeof API_KEY_SCOPES)[number]>,
            expiresAt: days === undefined ? null : new Date(Date.now() + days * 86_400_000),
          },
        ).catch((error: unknown) => {
          if (error instanceof ZodError) {
            const issue = error.issues[0];
            throw new UsageError(
              `--${issue?.path[0]?.toString() ?? "input"}: ${issue?.message ?? "invalid"}`,
            );
          }
          throw error;
        });
        process.stderr.write(
          `created key ${created.displayPrefix}… (${created.id}) with scopes ${created.scopes.join(" ")}; it is shown only now:\n`,
        );
        process.stdout.write(`${created.key}\n`);
      } finally {
        await handle.close();
      }
    });
}

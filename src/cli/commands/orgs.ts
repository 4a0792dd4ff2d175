import type { Command } from "commander";
import { ZodError } from "zod";
import { publicOrigin } from "../../server/auth/better-auth.ts";
import { env } from "../../server/env.ts";
import { openConfiguredDatabase } from "../../server/server.ts";
import { createOrganization } from "../../server/services/organizations/create-organization.ts";
import { UsageError } from "../exit.ts";

export function registerOrgsCommands(program: Command): void {
  const orgs = program.command("orgs").description("Manage organizations (self-hosting and scripts)");

  orgs
    .command("create")
    .description(
      "Create an organization; the owner joins at once if they have an account, else gets an invitation link",
    )
    .requiredOption("--name <name>", "display name")
    .requiredOption("--slug <slug>", "URL-safe handle: lowercase letters, digits and single hyphens")
    .option("--owner-email <email>", "the owner's e-mail address")
    .option("--plan <plan>", "free, team or enterprise", "free")
    .action(async (options: { name: string; slug: string; ownerEmail?: string; plan: string }) => {
      const config = env();
      const { handle } = await openConfiguredDatabase(config);
      try {
        const org = await createOrganization(
          handle.db,
          { kind: "cli" },
          {
            name: options.name,
            slug: options.slug,
            ownerEmail: options.ownerEmail,
            plan: options.plan as "free",
          },
          publicOrigin(config),
        ).catch((error: unknown) => {
          if (error instanceof ZodError) {
            const issue = error.issues[0];
            throw new UsageError(`--${issue?.path.join(".") ?? "input"}: ${issue?.message ?? "invalid"}`);
          }
          throw error;
        });
        process.stdout.write(`created organization ${org.slug} (${org.id})\n`);
        if (org.ownerUserId) process.stdout.write(`owner: ${options.ownerEmail} (existing account)\n`);
        if (org.invitation) {
          process.stdout.write(
            `owner invitation for ${org.invitation.email} (shown once, expires ${org.invitation.expiresAt.toISOString()}):\n${org.invitation.acceptUrl}\n`,
          );
        }
      } finally {
        await handle.close();
      }
    });
}

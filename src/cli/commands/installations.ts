import type { Command } from "commander";
import { openCliDependencies } from "../../server/composition.ts";
import { env } from "../../server/env.ts";
import { linkInstallationToOrg } from "../../server/github/link-installation.ts";
import { processPendingDeliveries } from "../../server/github/receive-delivery.ts";
import { findOrganizationBySlug } from "../../server/services/organizations/find-organization-by-slug.ts";
import { UsageError } from "../exit.ts";

export function registerInstallationsCommands(program: Command): void {
  const installations = program.command("installations").description("Manage GitHub App installations");

  installations
    .command("link")
    .description(
      "Link a GitHub App installation to an organization and process the deliveries that waited for it",
    )
    .requiredOption(
      "--installation <id>",
      "GitHub installation id (the number in the installation's settings URL)",
    )
    .requiredOption("--org <slug>", "organization slug")
    .action(async (options: { installation: string; org: string }) => {
      const installationId = Number(options.installation);
      if (!Number.isSafeInteger(installationId) || installationId <= 0) {
        throw new UsageError(`--installation must be a positive integer, got "${options.installation}"`);
      }
      const deps = await openCliDependencies(env(), { queue: "send" });
      const { handle, queue } = deps;
      try {
        const org = await findOrganizationBySlug(handle.db, options.org);
        const linked = await linkInstallationToOrg(handle.db, queue, deps.github, {
          orgId: org.id,
          installationId,
          actor: { kind: "cli" },
        });
        // Processed here as well as by the job, so a script sees the result at once (both are idempotent).
        const done = await processPendingDeliveries(handle.db, queue, installationId);
        process.stdout.write(
          `linked installation ${installationId} (${linked.accountLogin}) to ${org.slug}; ` +
            `processed ${done.processed} waiting deliveries, ${done.eventsCreated} events\n`,
        );
      } finally {
        await deps.close();
      }
    });
}

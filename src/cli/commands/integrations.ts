import { type Command, Option } from "commander";
import { publicOrigin } from "../../server/auth/better-auth.ts";
import { openConfiguredDatabase } from "../../server/composition.ts";
import type { Database } from "../../server/db/client.ts";
import { env } from "../../server/env.ts";
import {
  INTEGRATION_KINDS,
  type IntegrationKind,
  type RotatedSecret,
  rotateIntegrationSecret,
} from "../../server/services/incidents/secrets.ts";
import { findOrganizationBySlug } from "../../server/services/organizations/find-organization-by-slug.ts";

/** `sentinel integrations rotate-secret`, on an open database: the organization by slug, then the service. */
export async function rotateSecretOfOrganization(
  db: Database,
  input: { org: string; provider: IntegrationKind },
): Promise<RotatedSecret> {
  const org = await findOrganizationBySlug(db, input.org);
  return rotateIntegrationSecret({ db, orgId: org.id, actor: { kind: "cli" } }, input.provider);
}

export function registerIntegrationsCommands(program: Command): void {
  const integrations = program
    .command("integrations")
    .description("Manage inbound integrations (PagerDuty webhooks)");

  integrations
    .command("rotate-secret")
    .description(
      "Create or replace an organization's webhook signing secret and print it once; the old secret stops working at once",
    )
    .requiredOption("--org <slug>", "the organization's slug")
    .addOption(
      new Option("--provider <provider>", "the integration").choices(INTEGRATION_KINDS).makeOptionMandatory(),
    )
    .action(async (options: { org: string; provider: IntegrationKind }) => {
      const settings = env();
      const { handle } = await openConfiguredDatabase(settings);
      try {
        const rotated = await rotateSecretOfOrganization(handle.db, options);
        process.stderr.write(
          `${rotated.replaced ? "rotated" : "created"} the ${rotated.kind} secret of '${options.org}'` +
            `${rotated.replaced ? " (the old one no longer verifies)" : ""}; it is shown only now.\n` +
            `webhook URL: ${publicOrigin(settings)}${rotated.webhookPath}\n`,
        );
        process.stdout.write(`${rotated.secret}\n`);
      } finally {
        await handle.close();
      }
    });
}

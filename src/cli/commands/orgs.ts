import { Argument, type Command } from "commander";
import { ZodError } from "zod";
import { ORG_PLANS, type OrgPlan } from "../../core/enums.ts";
import { publicOrigin } from "../../server/auth/better-auth.ts";
import { openConfiguredDatabase } from "../../server/composition.ts";
import type { Database } from "../../server/db/client.ts";
import { env } from "../../server/env.ts";
import { operatorPlanSource } from "../../server/services/organizations/billing.ts";
import { createOrganization } from "../../server/services/organizations/create-organization.ts";
import { findOrganizationBySlug } from "../../server/services/organizations/find-organization-by-slug.ts";
import {
  getOrganizationPlan,
  type OrganizationView,
} from "../../server/services/organizations/get-organization.ts";
import { UsageError } from "../exit.ts";

/** `sentinel orgs set-plan`, on an open database: the organization by slug, then the operator's PlanSource. */
export async function setPlanOfOrganization(
  db: Database,
  input: { org: string; plan: OrgPlan },
): Promise<OrganizationView & { previousPlan: OrgPlan }> {
  const org = await findOrganizationBySlug(db, input.org);
  const previousPlan = await getOrganizationPlan({ db, orgId: org.id, actor: { kind: "cli" } });
  const changed = await operatorPlanSource(db).setPlan(org.id, input.plan);
  return { ...changed, previousPlan };
}

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

  orgs
    .command("set-plan")
    .description(
      "Put an organization on a plan (the only way a plan changes; customers cannot change their own). " +
        "A downgrade the organization does not fit in is refused. Recorded in its audit log.",
    )
    .argument("<slug>", "the organization's slug")
    .addArgument(new Argument("<plan>", "the plan").choices(ORG_PLANS))
    .action(async (slug: string, plan: OrgPlan) => {
      const { handle } = await openConfiguredDatabase(env());
      try {
        const changed = await setPlanOfOrganization(handle.db, { org: slug, plan });
        process.stdout.write(`${changed.slug}: ${changed.previousPlan} → ${changed.plan}\n`);
      } finally {
        await handle.close();
      }
    });
}

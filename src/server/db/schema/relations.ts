import { relations } from "drizzle-orm";
import { users } from "./auth.ts";
import { githubInstallations, repositories } from "./github.ts";
import { incidents } from "./incidents.ts";
import { apiKeys, organizationMembers, organizations } from "./organizations.ts";
import { codeAttribution, codeEvents, repoMetrics } from "./telemetry.ts";

export const organizationsRelations = relations(organizations, ({ many }) => ({
  members: many(organizationMembers),
  installations: many(githubInstallations),
  repositories: many(repositories),
  apiKeys: many(apiKeys),
}));

export const organizationMembersRelations = relations(organizationMembers, ({ one }) => ({
  organization: one(organizations, { fields: [organizationMembers.orgId], references: [organizations.id] }),
  user: one(users, { fields: [organizationMembers.userId], references: [users.id] }),
}));

export const githubInstallationsRelations = relations(githubInstallations, ({ one, many }) => ({
  organization: one(organizations, { fields: [githubInstallations.orgId], references: [organizations.id] }),
  repositories: many(repositories),
}));

export const repositoriesRelations = relations(repositories, ({ one, many }) => ({
  organization: one(organizations, { fields: [repositories.orgId], references: [organizations.id] }),
  installation: one(githubInstallations, {
    fields: [repositories.installationId],
    references: [githubInstallations.installationId],
  }),
  events: many(codeEvents),
  attributions: many(codeAttribution),
  metrics: many(repoMetrics),
  incidents: many(incidents),
}));

export const apiKeysRelations = relations(apiKeys, ({ one }) => ({
  organization: one(organizations, { fields: [apiKeys.orgId], references: [organizations.id] }),
}));

export const codeEventsRelations = relations(codeEvents, ({ one }) => ({
  repository: one(repositories, { fields: [codeEvents.repoId], references: [repositories.id] }),
}));

export const codeAttributionRelations = relations(codeAttribution, ({ one }) => ({
  repository: one(repositories, { fields: [codeAttribution.repoId], references: [repositories.id] }),
}));

export const repoMetricsRelations = relations(repoMetrics, ({ one }) => ({
  repository: one(repositories, { fields: [repoMetrics.repoId], references: [repositories.id] }),
}));

export const incidentsRelations = relations(incidents, ({ one }) => ({
  repository: one(repositories, { fields: [incidents.repoId], references: [repositories.id] }),
}));

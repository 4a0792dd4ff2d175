import type { Database } from "../db/client.ts";

/** Who is acting: shown in the audit log and in override records. */
export type Actor =
  | { kind: "user"; userId: string; role: import("../../core/enums.ts").MemberRole }
  | { kind: "api_key"; keyId: string; scopes: string[] }
  | { kind: "job"; name: string }
  | { kind: "webhook"; source: string }
  | { kind: "cli" }
  | { kind: "system" };

/**
 * Every service function takes one of these: the database (or the transaction it must join), the
 * organization it acts for, and who acts. Services filter every query by `orgId`. Those whose
 * writes need work after the commit (a metrics roll-up) take a WriteContext (after-commit.ts).
 */
export interface ServiceContext {
  db: Database;
  orgId: string;
  actor: Actor;
}

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case "user":
      return `user:${actor.userId}`;
    case "api_key":
      return `api_key:${actor.keyId}`;
    case "job":
      return `job:${actor.name}`;
    case "webhook":
      return `webhook:${actor.source}`;
    case "cli":
      return "cli";
    case "system":
      return "system";
  }
}

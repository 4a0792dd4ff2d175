import { aiToolForEmail, aiToolForLogin, type IdentityMatch } from "../known-identities.ts";
import { makeSignal } from "../make-signal.ts";
import type { Signal } from "../signals.ts";
import type { Person } from "../types.ts";
import type { CommitView } from "./commit-view.ts";

/** The author is the AI's own account: it wrote the commit. */
export const BOT_AUTHOR_WEIGHT = 0.95;
/** Only the committer is: an AI pushed it, a person may have written it. */
export const BOT_COMMITTER_WEIGHT = 0.85;

function match(person: Person, login: string | null): IdentityMatch | null {
  return aiToolForEmail(person.email) ?? aiToolForLogin(login);
}

/** Author or committer is an AI tool's GitHub App account or numeric-id noreply address. */
export function detectBotIdentity(view: CommitView): Signal[] {
  const author = match(view.author, view.authorLogin);
  if (author !== null) {
    const evidence = `author ${view.author.name} <${view.author.email}> (${author.via})`;
    return [makeSignal("bot-author", author.tool, null, evidence, BOT_AUTHOR_WEIGHT)];
  }
  const committer = match(view.committer, view.committerLogin);
  if (committer !== null) {
    const evidence = `committer ${view.committer.name} <${view.committer.email}> (${committer.via})`;
    return [makeSignal("bot-committer", committer.tool, null, evidence, BOT_COMMITTER_WEIGHT)];
  }
  return [];
}

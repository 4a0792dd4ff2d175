import { compileGlob, type GlobMatcher } from "./glob.ts";

// CODEOWNERS: the last matching pattern owns a path. When that entry's owners look like a security
// team, the path is security-sensitive by the organization's own declaration, and goes to T4.

export interface OwnerRule {
  matches: GlobMatcher;
  pattern: string;
  owners: string[];
}

const SECURITY_OWNER = /security|appsec|secops|infosec|(?:^|[/_-])sec(?:$|[/_-])|cryptograph/i;

const SPACE = /\s/;

/**
 * The line up to a `#` at its start or after white space, as `/(^|\s)#.*$/` would cut it, in one
 * pass (that regular expression is quadratic on a line of `\t#`): `.` stops at a line terminator
 * (a lone `\r`, U+2028, U+2029), so only a `#` after the last one counts.
 */
function withoutComment(raw: string): string {
  const from = Math.max(raw.lastIndexOf("\r"), raw.lastIndexOf("\u2028"), raw.lastIndexOf("\u2029")) + 1;
  for (let hash = raw.indexOf("#", from); hash !== -1; hash = raw.indexOf("#", hash + 1)) {
    if (hash === 0) return "";
    if (SPACE.test(raw.charAt(hash - 1))) return raw.slice(0, hash - 1);
  }
  return raw;
}

function parse(text: string): OwnerRule[] {
  const rules: OwnerRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = withoutComment(raw).trim();
    if (line === "") continue;
    const [pattern, ...owners] = line.split(/\s+/);
    if (pattern === undefined || pattern.startsWith("[") || pattern.startsWith("^[")) continue; // GitLab sections
    const matches = compileGlob(pattern); // null: not a glob (or too long), so it owns nothing
    if (matches !== null) rules.push({ matches, pattern, owners });
  }
  return rules;
}

const parsed = new Map<string, OwnerRule[]>();

export function compileCodeowners(text: string | null | undefined): OwnerRule[] {
  if (text == null || text === "") return [];
  let rules = parsed.get(text);
  if (rules === undefined) {
    rules = parse(text);
    if (parsed.size > 200) parsed.clear();
    parsed.set(text, rules);
  }
  return rules;
}

/** The security-team owner of the path by the last matching entry, or null. */
export function securityOwnerFor(
  path: string,
  rules: readonly OwnerRule[],
): { pattern: string; owner: string } | null {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i];
    if (rule === undefined || !rule.matches(path)) continue;
    const owner = rule.owners.find((o) => SECURITY_OWNER.test(o));
    return owner === undefined ? null : { pattern: rule.pattern, owner };
  }
  return null;
}

/** The owners of the path by the last matching entry (an entry with no owners un-owns it), or null. */
export function ownersFor(
  path: string,
  rules: readonly OwnerRule[],
): { pattern: string; owners: string[] } | null {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i];
    if (rule === undefined || !rule.matches(path)) continue;
    return rule.owners.length === 0 ? null : { pattern: rule.pattern, owners: rule.owners };
  }
  return null;
}

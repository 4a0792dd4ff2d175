import { globToRegExp } from "./glob.ts";

// CODEOWNERS: the last matching pattern owns a path. When that entry's owners look like a security
// team, the path is security-sensitive by the organization's own declaration, and goes to T4.

export interface OwnerRule {
  re: RegExp;
  pattern: string;
  owners: string[];
}

const SECURITY_OWNER = /security|appsec|secops|infosec|(?:^|[/_-])sec(?:$|[/_-])|cryptograph/i;

function parse(text: string): OwnerRule[] {
  const rules: OwnerRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "") continue;
    const [pattern, ...owners] = line.split(/\s+/);
    if (pattern === undefined || pattern.startsWith("[") || pattern.startsWith("^[")) continue; // GitLab sections
    rules.push({ re: globToRegExp(pattern), pattern, owners });
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
    if (rule === undefined || !rule.re.test(path)) continue;
    const owner = rule.owners.find((o) => SECURITY_OWNER.test(o));
    return owner === undefined ? null : { pattern: rule.pattern, owner };
  }
  return null;
}

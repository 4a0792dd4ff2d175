import { compileGlob, type GlobMatcher } from "./glob.ts";

// Generated and vendored files, after GitHub Linguist (lib/linguist/vendor.yml, generated.rb and
// the `.gitattributes` overrides `linguist-generated`, `linguist-vendored`,
// `linguist-documentation`). A curated subset: Linguist's broadest patterns (`^tools/`, `cache/`)
// would hide real application code, so they are left out.

export interface PathRule {
  re: RegExp;
  reason: string;
}

export const LOCKFILE: PathRule = {
  re: /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|deno\.lock|Cargo\.lock|Gemfile\.lock|poetry\.lock|Pipfile\.lock|uv\.lock|pdm\.lock|composer\.lock|go\.sum|go\.work\.sum|mix\.lock|pubspec\.lock|Podfile\.lock|Package\.resolved|packages\.lock\.json|paket\.lock|flake\.lock|gradle\.lockfile|\.terraform\.lock\.hcl)$/,
  reason: "lockfile",
};

export const VENDORED: readonly PathRule[] = [
  {
    re: /(?:^|\/)(?:node_modules|bower_components|vendors?|[Vv]endor|third[-_]?party|3rd[-_]?party|extern(?:als?)?|Pods|Carthage)\//,
    reason: "vendored directory (Linguist vendor.yml)",
  },
  { re: /(?:^|\/)Godeps\/_workspace\//, reason: "vendored directory (Linguist vendor.yml)" },
  {
    re: /(?:^|\/)\.yarn\/(?:releases|plugins|sdks|versions|cache)\//,
    reason: "vendored Yarn files (Linguist vendor.yml)",
  },
  {
    re: /(?:^|\/)gradle\/wrapper\/|(?:^|\/)gradlew(?:\.bat)?$/,
    reason: "vendored Gradle wrapper (Linguist vendor.yml)",
  },
  { re: /(?:^|\/)dist\//, reason: "distribution directory dist/ (Linguist vendor.yml)" },
];

export const GENERATED: readonly PathRule[] = [
  { re: /[.-]min\.(?:js|mjs|css)$/, reason: "minified file (Linguist)" },
  { re: /\.(?:js|mjs|css)\.map$/, reason: "source map (Linguist generated.rb)" },
  {
    re: /\.pb\.(?:go|cc|h|swift)$|_pb2(?:_grpc)?\.pyi?$|_grpc\.pb\.go$|\.pb\.gw\.go$/,
    reason: "protobuf output (Linguist generated.rb)",
  },
  { re: /\.(?:g|freezed|gr|mocks)\.dart$/, reason: "generated Dart (Linguist generated.rb)" },
  {
    re: /\.designer\.(?:cs|vb)$|\.generated\.\w+$|(?:^|\/)zz_generated[^/]*\.go$/,
    reason: "generated source (Linguist generated.rb)",
  },
  { re: /(?:^|\/)(?:__generated__|generated)\//, reason: "generated directory" },
];

// Go's convention and the `@generated` marker, in the first lines of an added file.
const GENERATED_HEADER =
  /^(?:\/\/|#|--|\/\*+|\s\*)\s*(?:Code generated\b.*DO NOT EDIT|@generated\b|This file is (?:auto-?)?generated)/im;

export function hasGeneratedHeader(addedLines: readonly string[]): boolean {
  const head = addedLines.slice(0, 5).join("\n");
  return head !== "" && GENERATED_HEADER.test(head);
}

export interface LinguistAttributes {
  generated: boolean;
  vendored: boolean;
  documentation: boolean;
}

export interface AttributeRule {
  matches: GlobMatcher;
  pattern: string;
  set: Partial<LinguistAttributes>;
}

const ATTRIBUTES = ["generated", "vendored", "documentation"] as const;

function parseGitattributes(text: string): AttributeRule[] {
  const rules: AttributeRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [pattern, ...attrs] = line.split(/\s+/);
    if (pattern === undefined) continue;
    const set: Partial<LinguistAttributes> = {};
    for (const attr of attrs) {
      for (const name of ATTRIBUTES) {
        const key = `linguist-${name}`;
        if (attr === key || attr === `${key}=true`) set[name] = true;
        else if (attr === `-${key}` || attr === `!${key}` || attr === `${key}=false`) set[name] = false;
      }
    }
    const matches = Object.keys(set).length > 0 ? compileGlob(pattern) : null; // null: not a glob
    if (matches !== null) rules.push({ matches, pattern, set });
  }
  return rules;
}

const parsed = new Map<string, AttributeRule[]>();

/** Compiled `.gitattributes`, cached by content (a repository's file is the same for every commit). */
export function compileGitattributes(text: string | null | undefined): AttributeRule[] {
  if (text == null || text === "") return [];
  let rules = parsed.get(text);
  if (rules === undefined) {
    rules = parseGitattributes(text);
    if (parsed.size > 200) parsed.clear();
    parsed.set(text, rules);
  }
  return rules;
}

export type LinguistState = Partial<Record<keyof LinguistAttributes, { value: boolean; pattern: string }>>;

/** Each linguist attribute set for the path, with the line that set it (later lines win, as in git). */
export function linguistState(path: string, rules: readonly AttributeRule[]): LinguistState {
  const state: LinguistState = {};
  for (const rule of rules) {
    if (!rule.matches(path)) continue;
    for (const name of ATTRIBUTES) {
      const value = rule.set[name];
      if (value !== undefined) state[name] = { value, pattern: rule.pattern };
    }
  }
  return state;
}

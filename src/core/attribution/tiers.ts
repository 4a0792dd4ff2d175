import type { RiskTier } from "../enums.ts";
import type { TierRule } from "../settings.ts";
import { compileCodeowners, type OwnerRule, securityOwnerFor } from "./codeowners.ts";
import { compileGlob, type GlobMatcher } from "./glob.ts";
import {
  type AttributeRule,
  compileGitattributes,
  GENERATED,
  hasGeneratedHeader,
  LOCKFILE,
  linguistState,
  type PathRule,
  VENDORED,
} from "./linguist.ts";
import type { AttributionContext } from "./types.ts";

// Risk tiers, first decision wins, in this order:
//   1. the organization's then the repository's tier rules (path globs);
//   2. CODEOWNERS: a path whose owner is a security team → T4;
//   3. T1 boilerplate: binaries, .gitattributes linguist-*, lockfiles, vendored, generated, type
//      declarations, migrations, test scaffolding, docs, config, assets;
//   4. tests (not scaffolding) → T3;
//   5. T4 novel: security-sensitive paths, then added code that spawns processes, evaluates code,
//      runs raw SQL, does crypto/auth/sanitising, uses concurrency primitives, or is highly complex;
//   6. T2 glue: re-export barrels, routes, wiring, adapters, API clients, CLI entry points;
//   7. T3 core: everything else.

export interface TierDecision {
  tier: RiskTier;
  reason: string;
}

export interface TierContext {
  rules: ReadonlyArray<{ matches: GlobMatcher; rule: TierRule }>;
  gitattributes: readonly AttributeRule[];
  codeowners: readonly OwnerRule[];
}

export function compileTierContext(context: AttributionContext): TierContext {
  return {
    // Settings validation refuses invalid globs; one stored before it existed matches nothing.
    rules: (context.tierRules ?? []).flatMap((rule) => {
      const matches = compileGlob(rule.pattern);
      return matches === null ? [] : [{ matches, rule }];
    }),
    gitattributes: compileGitattributes(context.gitattributes),
    codeowners: compileCodeowners(context.codeowners),
  };
}

const T1_PATHS: readonly PathRule[] = [
  { re: /\.d\.[cm]?ts$|\.pyi$/, reason: "type declarations" },
  {
    re: /(?:^|\/)(?:migrations?|db\/migrate|alembic\/versions|prisma\/migrations|drizzle|flyway|liquibase)\//i,
    reason: "database migration",
  },
  {
    re: /(?:^|\/)(?:__snapshots__|__fixtures__|__mocks__|fixtures?|mocks?|testdata|test-data|stubs?)\/|\.snap$/,
    reason: "test scaffolding (fixtures, snapshots, mocks)",
  },
  {
    re: /(?:^|\/)(?:docs?|documentation)\/|\.(?:md|mdx|markdown|rst|adoc|asciidoc|txt)$|(?:^|\/)(?:LICEN[CS]E|COPYING|CHANGELOG|CHANGES|AUTHORS|CONTRIBUTORS|CONTRIBUTING|NOTICE|README|CODE_OF_CONDUCT|SECURITY)(?:\.\w+)?$/i,
    reason: "documentation",
  },
  {
    re: /(?:^|\/)\.(?:github|gitlab|circleci|buildkite|husky|vscode|idea|devcontainer|changeset)\/|(?:^|\/)\.[^/]+$|\.(?:ya?ml|toml|ini|cfg|conf|properties|jsonc?|json5|plist|editorconfig)$|(?:^|\/)[^/]+\.config\.[cm]?[jt]s$|(?:^|\/)(?:Dockerfile|Containerfile)(?:\.[\w-]+)?$|(?:^|\/)(?:docker-compose[^/]*|Makefile|Procfile|Jenkinsfile|Vagrantfile|Gemfile|Pipfile|Brewfile|go\.mod|go\.work|CMakeLists\.txt|BUILD(?:\.bazel)?|WORKSPACE)$/,
    reason: "configuration",
  },
  {
    re: /\.(?:png|jpe?g|gif|svg|ico|webp|avif|bmp|tiff?|woff2?|ttf|otf|eot|mp3|mp4|wav|ogg|webm|pdf|zip|gz|tgz|tar|jar|css|scss|sass|less|styl)$/i,
    reason: "asset or stylesheet",
  },
];

const TEST_CODE =
  /(?:^|\/)(?:tests?|__tests__|specs?|e2e)\/|\.(?:test|spec)\.[cm]?[jt]sx?$|_test\.(?:go|py|rb|exs?)$|(?:^|\/)test_[^/]+\.py$|_spec\.rb$|Tests?\.(?:java|kt|cs|swift)$/;

// Path words that name security-sensitive code. Matched on whole words of the path, camelCase split.
const SENSITIVE_PATH =
  /(?:^|[/._-])(auth|authn|authz|authentication|authorization|authorize|oauth2?|login|logout|signin|signup|sessions?|passwords?|passwd|credentials?|secrets?|jwt|saml|oidc|sso|mfa|2fa|totp|crypto|cryptography|cipher|ciphers|encrypt|encryption|decrypt|decryption|signing|keystore|keychain|permissions?|acl|rbac|abac|sanitize|sanitizer|sanitization|sanitise|sanitiser|sanitisation|csrf|xss|security|mutex|semaphore|concurrency)(?=$|[/._-])/;

const SENSITIVE_CODE: readonly PathRule[] = [
  {
    re: /\bchild_process\b|(?<![.\w])(?:exec|execSync|execFile|execFileSync|spawn|spawnSync)\s*\(|\.(?:spawn|spawnSync|execFile|execSync)\s*\(|\bsubprocess\.\w+\(|\bos\.(?:system|popen)\s*\(|\bexec\.Command(?:Context)?\(|\bProcessBuilder\b|Runtime\.getRuntime\(\)\.exec|\bprocess::Command\b/,
    reason: "spawns processes",
  },
  {
    re: /(?<![.\w])eval\s*\(|\bnew\s+Function\s*\(|\bvm\.(?:runIn\w+|Script)\b|\bsetTimeout\s*\(\s*["'`]/,
    reason: "evaluates code",
  },
  {
    re: /\b(?:SELECT\s+(?:\*|DISTINCT|[\w.]+(?:\s*,\s*[\w.]+)*)\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|DROP\s+TABLE|ALTER\s+TABLE|TRUNCATE\s+TABLE)\b|\bsql\.raw\s*\(|\$(?:queryRaw|executeRaw)Unsafe\b|\.raw\s*\(\s*[`'"]|\bcursor\.execute\s*\(\s*f["']/,
    reason: "raw SQL",
  },
  {
    re: /\b(?:createHash|createHmac|createCipheriv|createDecipheriv|createSign|createVerify|generateKeyPair\w*|randomBytes|pbkdf2\w*|scrypt\w*|bcrypt|argon2|timingSafeEqual|hashlib|hmac\.new|jsonwebtoken|jwt\.(?:sign|verify|decode))\b|\bcrypto\.subtle\b/,
    reason: "cryptography",
  },
  {
    re: /\b(?:authenticate|authorize|isAuthenticated|isAuthorized|hasPermission|checkPermission|requireAuth|requireRole|verifyPassword|hashPassword|verifyToken|setCookie)\b/,
    reason: "authentication or permissions",
  },
  {
    re: /\b(?:sanitize\w*|sanitise\w*|escapeHtml|DOMPurify|dangerouslySetInnerHTML|bleach\.clean)\b|\.innerHTML\s*=/,
    reason: "sanitising or raw HTML",
  },
  {
    re: /\b(?:Mutex|RWMutex|RwLock|Semaphore|Atomics\.\w+|SharedArrayBuffer|worker_threads|WaitGroup|ConcurrentHashMap|ReentrantLock|std::thread|threading\.\w+|multiprocessing|asyncio\.Lock|synchronized)\b|\bnew\s+Worker\s*\(|(?:^|[\s;{])go\s+(?:func\b|[\w.]+\()/m,
    reason: "concurrency primitives",
  },
];

// All categories in one pattern, so the added code is scanned once (the CLI runs this on every file
// of thousands of commits); the capturing group that matched names the category.
const SENSITIVE_CODE_ANY = new RegExp(SENSITIVE_CODE.map((r) => `(${r.re.source})`).join("|"), "m");

// Literal fragments, at least one of which every alternative above contains. Most added code has
// none, and this plain alternation runs about three times faster than the full pattern.
// Keep it a superset when you add to SENSITIVE_CODE.
const SENSITIVE_CODE_PREFILTER =
  /exec|spawn|child_process|subprocess|os\.|ProcessBuilder|::Command|eval|Function|vm\.|setTimeout|SELECT|INSERT|UPDATE|DELETE|DROP|ALTER|TRUNCATE|raw|Unsafe|createHash|createHmac|createCipheriv|createDecipheriv|createSign|createVerify|generateKeyPair|randomBytes|pbkdf2|scrypt|bcrypt|argon2|timingSafeEqual|hashlib|hmac|jsonwebtoken|jwt|subtle|uthenticate|uthori|Permission|requireAuth|requireRole|Password|verifyToken|setCookie|saniti|escapeHtml|DOMPurify|innerHTML|bleach|Mutex|RwLock|Semaphore|Atomics|SharedArrayBuffer|worker_threads|WaitGroup|ConcurrentHashMap|ReentrantLock|thread|multiprocessing|asyncio|synchronized|Worker|go /;

function sensitiveCodeReason(joined: string): string | null {
  if (!SENSITIVE_CODE_PREFILTER.test(joined)) return null;
  const m = SENSITIVE_CODE_ANY.exec(joined);
  if (m === null) return null;
  const index = m.findIndex((g, i) => i > 0 && g !== undefined) - 1;
  const reason = SENSITIVE_CODE[index]?.reason ?? "security-sensitive code";
  return `added code ${reason} ("${m[0].trim().slice(0, 60)}")`;
}

const BRANCH_LINE = /^(\s*)(?:\}\s*)?(?:else\s+)?(?:if|for|while|switch|case|catch|elif|except|match)\b/;
const DECISION_POINT = /\b(?:if|for|while|case|catch|elif|except)\b|&&|\|\|/g;
export const DEEP_NESTING = 6;
export const MANY_DECISIONS = 40;

function indentDepth(indent: string, unit: number): number {
  let tabs = 0;
  let spaces = 0;
  for (const ch of indent) {
    if (ch === "\t") tabs++;
    else spaces++;
  }
  return tabs + Math.floor(spaces / unit);
}

/** Deep nesting or many decision points in the added lines: hard to review, so T4. */
function complexityReason(addedLines: readonly string[], joined: string): string | null {
  // Two-space code has some indents of 2 mod 4; otherwise assume four (the conservative guess).
  let unit = 4;
  for (const line of addedLines) {
    const n = line.length - line.trimStart().length;
    if (n % 4 === 2 && line.charCodeAt(0) === 32) {
      unit = 2;
      break;
    }
  }
  let deepest = 0;
  for (const line of addedLines) {
    const m = BRANCH_LINE.exec(line);
    if (m?.[1] !== undefined) deepest = Math.max(deepest, indentDepth(m[1], unit));
  }
  if (deepest >= DEEP_NESTING)
    return `high complexity: branching at nesting depth ${deepest} in the added lines`;
  const decisions = joined.match(DECISION_POINT)?.length ?? 0;
  if (decisions >= MANY_DECISIONS) return `high complexity: ${decisions} decision points in the added lines`;
  return null;
}

const BARREL_FILE = /(?:^|\/)(?:index\.[cm]?[jt]sx?|__init__\.py|mod\.rs)$/;
// Added lines are anyone's text: no two adjacent quantifiers here may match the same characters
// (`export {` + spaces + `;x` took quadratic time when `[^;]*?` and `\s*$` overlapped).
const BARREL_LINE =
  /^\s*(?:$|\/\/|\/\*|\*|#|export\s+(?:\*|type\s+\{|\{)(?:[^;]*(?:;\s*)?$|[^;]*?from\s+['"][^'"]+['"];?\s*$)|export\s+\*\s+as\s+\w+\s+from\s+['"][^'"]+['"];?\s*$|import\s|from\s+\S+\s+import\s|pub\s+(?:mod|use)\s|mod\s|use\s|\}\s*from\s+['"][^'"]+['"];?\s*$|[\w$]+(?:\s+as\s+[\w$]+)?,?\s*$|\};?\s*$|__all__)/;

const GLUE_PATHS: readonly PathRule[] = [
  {
    re: /(?:^|\/)(?:routes?|routers?|routing)(?:\/|\.\w+$)|\.routes?\.[cm]?[jt]sx?$|(?:^|\/)urls\.py$/,
    reason: "routing",
  },
  {
    re: /(?:^|\/)(?:main|app\.module|container|di|wiring|bootstrap|composition-root|injector|providers|__main__|startup|program)\.\w+$/i,
    reason: "wiring or entry point",
  },
  { re: /(?:^|\/)adapters?\/|[-_.]adapter\.\w+$|[a-z]Adapter\.\w+$/, reason: "adapter" },
  {
    re: /(?:^|\/)(?:clients?|api-clients?|sdk)\/|(?:^|[/_.-])client\.\w+$|[a-z]Client\.\w+$/,
    reason: "API client",
  },
  { re: /(?:^|\/)(?:bin|cli|cmd)\/|(?:^|\/)cli\.\w+$/, reason: "CLI entry point" },
];

export interface TierInput {
  path: string;
  binary: boolean;
  /** Added lines of the patch (empty when there is no patch). */
  addedLines: readonly string[];
  hasPatch: boolean;
}

export function classifyTier(file: TierInput, tc: TierContext): TierDecision {
  const { path } = file;
  for (const { matches, rule } of tc.rules) {
    if (matches(path)) return { tier: rule.tier, reason: `tier rule "${rule.pattern}"` };
  }
  const owner = securityOwnerFor(path, tc.codeowners);
  if (owner !== null)
    return { tier: "T4_novel", reason: `CODEOWNERS "${owner.pattern}" owned by ${owner.owner}` };

  if (file.binary) return { tier: "T1_boilerplate", reason: "binary file" };
  const attrs = linguistState(path, tc.gitattributes);
  for (const name of ["generated", "vendored", "documentation"] as const) {
    const a = attrs[name];
    if (a?.value === true)
      return { tier: "T1_boilerplate", reason: `.gitattributes "${a.pattern}" linguist-${name}` };
  }
  if (LOCKFILE.re.test(path)) return { tier: "T1_boilerplate", reason: LOCKFILE.reason };
  if (attrs.vendored?.value !== false) {
    for (const r of VENDORED) if (r.re.test(path)) return { tier: "T1_boilerplate", reason: r.reason };
  }
  if (attrs.generated?.value !== false) {
    for (const r of GENERATED) if (r.re.test(path)) return { tier: "T1_boilerplate", reason: r.reason };
    if (hasGeneratedHeader(file.addedLines))
      return { tier: "T1_boilerplate", reason: "generated-code header" };
  }
  for (const r of T1_PATHS) {
    if (r.reason === "documentation" && attrs.documentation?.value === false) continue;
    if (r.re.test(path)) return { tier: "T1_boilerplate", reason: r.reason };
  }

  if (TEST_CODE.test(path)) return { tier: "T3_core", reason: "test code" };

  const words = path.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
  const sensitive = SENSITIVE_PATH.exec(words);
  if (sensitive?.[1] !== undefined)
    return { tier: "T4_novel", reason: `security-sensitive path ("${sensitive[1]}")` };
  const joined = file.addedLines.join("\n");
  if (joined !== "") {
    const sensitiveCode = sensitiveCodeReason(joined);
    if (sensitiveCode !== null) return { tier: "T4_novel", reason: sensitiveCode };
    const complex = complexityReason(file.addedLines, joined);
    if (complex !== null) return { tier: "T4_novel", reason: complex };
  }

  if (BARREL_FILE.test(path) && file.addedLines.every((l) => BARREL_LINE.test(l))) {
    return { tier: "T2_glue", reason: file.hasPatch ? "barrel file of re-exports" : "barrel file (by name)" };
  }
  for (const r of GLUE_PATHS) if (r.re.test(path)) return { tier: "T2_glue", reason: r.reason };
  return { tier: "T3_core", reason: "application source (default)" };
}

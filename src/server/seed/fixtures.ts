import type { MemberRole, OrgPlan } from "../../core/enums.ts";
import type { OrgSettings, RepoSettings } from "../../core/settings.ts";

// The cast of the demo: who works where, on which repositories, touching which files, and which
// AI tools they use (what each leaves in git is in signatures.ts).

/** Sign-in for the demo, printed by `npm start` when it seeds an empty embedded database. */
export const DEMO_PASSWORD = "sentinel-demo";
export const DEMO_CREDENTIALS = {
  owner: { email: "owner@acme.test", password: DEMO_PASSWORD },
  viewer: { email: "viewer@acme.test", password: DEMO_PASSWORD },
} as const;

export interface SeedPerson {
  name: string;
  email: string;
  /** GitHub login, also the commit author's login. */
  login: string;
  githubId: number;
  /** Signs in with email and password (the demo accounts); everyone else through GitHub. */
  password: boolean;
  /** Writes doc comments and long names by hand too: the style model's hardest case. */
  wordy?: boolean;
}

export const PEOPLE = {
  dana: {
    name: "Dana Whitfield",
    email: "owner@acme.test",
    login: "dwhitfield",
    githubId: 3_412_887,
    password: true,
  },
  marcus: {
    name: "Marcus Oyelaran",
    email: "marcus@acme.test",
    login: "moyelaran",
    githubId: 5_120_334,
    password: false,
  },
  priya: {
    name: "Priya Raman",
    email: "priya@raman.dev",
    login: "praman",
    githubId: 8_804_152,
    password: false,
    wordy: true,
  },
  kenji: {
    name: "Kenji Watanabe",
    email: "kenji@acme.test",
    login: "kwatanabe",
    githubId: 11_239_870,
    password: false,
  },
  sofia: {
    name: "Sofia Alvarez",
    email: "sofia@acme.test",
    login: "salvarez-dev",
    githubId: 19_455_021,
    password: false,
  },
  tom: {
    name: "Tom Becker",
    email: "tom@acme.test",
    login: "tbecker",
    githubId: 24_680_113,
    password: false,
  },
  aisha: {
    name: "Aisha Bello",
    email: "aisha@acme.test",
    login: "aishab",
    githubId: 31_007_459,
    password: false,
  },
  riley: {
    name: "Riley Chen",
    email: "viewer@acme.test",
    login: "rchen-pm",
    githubId: 42_315_906,
    password: true,
  },
  helena: {
    name: "Helena Varga",
    email: "owner@globex.test",
    login: "hvarga",
    githubId: 6_731_248,
    password: false,
  },
  luis: {
    name: "Luis Moreno",
    email: "luis@globex.test",
    login: "lmoreno",
    githubId: 14_092_377,
    password: false,
  },
  grace: {
    name: "Grace Kim",
    email: "grace@globex.test",
    login: "gracekim",
    githubId: 27_518_640,
    password: false,
    wordy: true,
  },
  omar: {
    name: "Omar Haddad",
    email: "omar@globex.test",
    login: "ohaddad",
    githubId: 38_224_195,
    password: false,
  },
} as const satisfies Record<string, SeedPerson>;

export type PersonKey = keyof typeof PEOPLE;

export interface SeedArea {
  /** Conventional-commit scope. */
  scope: string;
  files: readonly string[];
  tests: readonly string[];
  subjects: readonly string[];
  /** New files this area adds now and then (`{n}` is a running number). */
  newFile?: string;
}

export interface SeedRepo {
  name: string;
  firstPr: number;
  /** How much more (or less) than the organization's average this team works with AI tools. */
  aiAffinity: number;
  /** How busy the repository is, against the organization's average. */
  activity: number;
  areas: readonly SeedArea[];
  settings: Partial<RepoSettings>;
  incidentTitles: readonly string[];
}

export interface SeedOrg {
  slug: string;
  name: string;
  plan: OrgPlan;
  githubLogin: string;
  githubAccountId: number;
  installationId: number;
  settings: Partial<OrgSettings>;
  members: ReadonlyArray<readonly [PersonKey, MemberRole]>;
  /** Members who write code (reviewers are drawn from them too). */
  engineers: readonly PersonKey[];
  /** `fix(auth): …` or plain sentences. */
  conventionalCommits: boolean;
  dependencyBot: "dependabot" | "renovate";
  incidentSource: "pagerduty" | "github_issue";
  /** Merged pull requests per repository on a weekday, on average. */
  prsPerWeekday: number;
  /** The AI tools this organization's people use, with how often each shows up among AI-assisted changes. */
  aiTools: ReadonlyArray<readonly [AiToolKey, number]>;
  /** Repositories whose clones the organization trained its `ml_model` on; empty: it has not trained one. */
  modelRepos: readonly string[];
  repos: readonly SeedRepo[];
}

const docs: SeedArea = {
  scope: "docs",
  files: [
    "README.md",
    "docs/architecture.md",
    "docs/deploy.md",
    "docs/runbooks/incident-response.md",
    "CHANGELOG.md",
  ],
  tests: [],
  subjects: [
    "document the release checklist",
    "explain local setup with Docker",
    "add runbook for paging escalation",
    "fix broken links in the architecture notes",
    "describe the retry policy",
  ],
};

const ci: SeedArea = {
  scope: "ci",
  files: [
    ".github/workflows/ci.yml",
    ".github/workflows/deploy.yml",
    "Dockerfile",
    "tsconfig.json",
    "biome.json",
  ],
  tests: [],
  subjects: [
    "cache node_modules between jobs",
    "run tests on Node 24",
    "pin actions to commit shas",
    "split lint and test jobs",
    "build the image with a non-root user",
  ],
};

const apiBackendAreas = (domain: string, service: string): SeedArea[] => [
  {
    scope: "auth",
    files: ["src/auth/session.ts", "src/auth/tokens.ts", "src/auth/oauth.ts", "src/auth/permissions.ts"],
    tests: ["test/auth/session.test.ts", "test/auth/tokens.test.ts"],
    subjects: [
      "refresh sessions before they expire",
      "reject tokens signed with a rotated key",
      "add PKCE to the OAuth flow",
      "check organization membership on every request",
      "rate-limit failed sign-ins",
    ],
  },
  {
    scope: "api",
    files: [
      "src/api/routes/users.ts",
      `src/api/routes/${domain}.ts`,
      "src/api/middleware/request-id.ts",
      `src/api/schemas/${domain}.ts`,
      "src/api/errors.ts",
    ],
    tests: ["test/api/users.test.ts", `test/api/${domain}.test.ts`],
    subjects: [
      `add cursor pagination to /${domain}`,
      `return 404 for unknown ${domain} ids`,
      "map validation errors to 400 with the field name",
      `validate ${domain} payloads with zod`,
      "log one line per request with its id",
    ],
  },
  {
    scope: "core",
    files: [
      `src/services/${service}.ts`,
      "src/services/notifications.ts",
      "src/lib/retry.ts",
      "src/lib/time.ts",
    ],
    tests: [`test/services/${service}.test.ts`, "test/lib/retry.test.ts"],
    subjects: [
      `make ${service.replace(/-/g, " ")} idempotent`,
      "retry transient failures with jitter",
      "handle daylight saving time in schedules",
      `speed up ${service.replace(/-/g, " ")} for large batches`,
      "stop double-sending notifications",
    ],
  },
  {
    scope: "db",
    files: ["src/db/schema.ts", `src/db/queries/${domain}.ts`],
    tests: [`test/db/${domain}-queries.test.ts`],
    subjects: [
      `add an index for ${domain} by status`,
      "backfill created_by on old rows",
      `soft-delete ${domain} instead of removing them`,
    ],
    newFile: `migrations/{n}_${domain}_changes.sql`,
  },
  docs,
  ci,
];

const webAreas = (domain: string, components: readonly string[]): SeedArea[] => [
  {
    scope: "ui",
    files: components.map((c) => `src/components/${c}.tsx`),
    tests: components.slice(0, 3).map((c) => `src/components/__tests__/${c}.test.tsx`),
    subjects: [
      "fix focus trap in the dialog",
      `show an empty state when there are no ${domain}`,
      "make the table sortable by every column",
      "add skeleton loaders",
      "respect prefers-reduced-motion",
    ],
    newFile: "src/components/Widget{n}.tsx",
  },
  {
    scope: "pages",
    files: [`src/pages/${domain}/index.tsx`, `src/pages/${domain}/[id].tsx`, "src/pages/settings.tsx"],
    tests: [`test/pages/${domain}.test.tsx`],
    subjects: [
      `add filters to the ${domain} page`,
      "keep query parameters in the URL",
      "prefetch the detail page on hover",
    ],
  },
  {
    scope: "data",
    files: ["src/lib/api-client.ts", `src/hooks/use-${domain}.ts`, "src/store/session.ts", "src/lib/auth.ts"],
    tests: ["test/lib/api-client.test.ts"],
    subjects: [
      "retry 503 responses once",
      "invalidate the cache after a mutation",
      "sign out everywhere when the session is revoked",
      "type the API client from the OpenAPI schema",
    ],
  },
  {
    scope: "style",
    files: ["src/styles/theme.css", "tailwind.config.ts", "src/styles/tokens.css"],
    tests: [],
    subjects: ["raise contrast of secondary text", "add dark mode tokens", "tighten spacing on mobile"],
  },
  docs,
  ci,
];

export const ORGS: readonly SeedOrg[] = [
  {
    slug: "acme",
    name: "Acme Robotics",
    plan: "team",
    githubLogin: "acme-robotics",
    githubAccountId: 81_402_337,
    installationId: 52_118_406,
    settings: {
      aiHeavyThreshold: 0.5,
      tierRules: [
        { pattern: "src/auth/**", tier: "T4_novel" },
        { pattern: "src/services/mission-planner.ts", tier: "T4_novel" },
        { pattern: "**/package-lock.json", tier: "T1_boilerplate" },
      ],
      incidentLabel: "incident",
      productionEnvironments: ["production"],
    },
    members: [
      ["dana", "owner"],
      ["marcus", "admin"],
      ["priya", "member"],
      ["kenji", "member"],
      ["sofia", "member"],
      ["tom", "member"],
      ["aisha", "member"],
      ["riley", "viewer"],
    ],
    engineers: ["dana", "marcus", "priya", "kenji", "sofia", "tom", "aisha"],
    conventionalCommits: true,
    dependencyBot: "dependabot",
    incidentSource: "pagerduty",
    prsPerWeekday: 2.0,
    modelRepos: ["operator-console"],
    aiTools: [
      ["claude-code", 34],
      ["cursor", 18],
      ["copilot", 10],
      ["copilot-agent", 9],
      ["codex", 11],
      ["aider", 5],
      ["devin", 4],
      ["amp", 9],
    ],
    repos: [
      {
        name: "fleet-api",
        firstPr: 1184,
        aiAffinity: 1.15,
        activity: 1.1,
        areas: apiBackendAreas("missions", "mission-planner"),
        settings: { trackedBranches: ["main"], ignoredPaths: ["vendor/**"] },
        incidentTitles: [
          "Elevated 5xx on POST /missions",
          "Mission planner times out for fleets over 200 robots",
          "Sign-in loop for SSO users",
          "Duplicate mission notifications",
          "p95 latency regression on /missions",
        ],
      },
      {
        name: "telemetry-ingest",
        firstPr: 412,
        aiAffinity: 0.8,
        activity: 0.75,
        areas: apiBackendAreas("readings", "telemetry-pipeline"),
        settings: {},
        incidentTitles: [
          "Telemetry lag above 10 minutes",
          "Ingest workers crash-looping after deploy",
          "Battery readings dropped for firmware 3.2",
          "Disk filling up on ingest nodes",
        ],
      },
      {
        name: "operator-console",
        firstPr: 2051,
        aiAffinity: 1.6,
        activity: 1.8,
        areas: webAreas("robots", [
          "FleetMap",
          "RobotCard",
          "MissionTimeline",
          "Sidebar",
          "DataTable",
          "Button",
        ]),
        settings: { ignoredPaths: ["public/vendor/**"] },
        incidentTitles: [
          "Fleet map blank in Safari",
          "Operators logged out every few minutes",
          "Mission timeline shows wrong time zone",
          "Console bundle fails to load behind proxy",
        ],
      },
      {
        name: "robot-firmware-updater",
        firstPr: 97,
        aiAffinity: 0.55,
        activity: 0.6,
        areas: apiBackendAreas("rollouts", "rollout-scheduler"),
        settings: { tierRules: [{ pattern: "src/services/rollout-scheduler.ts", tier: "T4_novel" }] },
        incidentTitles: [
          "Firmware rollout stalled at 40%",
          "Robots rebooting twice after update",
          "Rollback endpoint returns 500",
        ],
      },
    ],
  },
  {
    slug: "globex",
    name: "Globex",
    plan: "free",
    githubLogin: "globex-corp",
    githubAccountId: 90_113_582,
    installationId: 53_904_771,
    settings: { aiHeavyThreshold: 0.6 },
    members: [
      ["helena", "owner"],
      ["priya", "admin"],
      ["luis", "member"],
      ["grace", "member"],
      ["omar", "viewer"],
    ],
    engineers: ["helena", "priya", "luis", "grace"],
    conventionalCommits: false,
    dependencyBot: "renovate",
    incidentSource: "github_issue",
    prsPerWeekday: 1.3,
    modelRepos: [],
    aiTools: [
      ["cursor", 30],
      ["copilot", 24],
      ["claude-code", 16],
      ["copilot-agent", 12],
      ["codex", 10],
      ["amp", 5],
      ["aider", 3],
    ],
    repos: [
      {
        name: "storefront",
        firstPr: 733,
        aiAffinity: 1.2,
        activity: 1.1,
        areas: webAreas("products", ["CartDrawer", "ProductCard", "CheckoutForm", "Header", "PriceTag"]),
        settings: {},
        incidentTitles: [
          "Checkout button unresponsive on iOS",
          "Prices shown without tax in EU",
          "Product images 404 after CDN change",
        ],
      },
      {
        name: "billing-service",
        firstPr: 318,
        aiAffinity: 0.6,
        activity: 0.9,
        areas: [
          ...apiBackendAreas("invoices", "invoice-runner"),
          {
            scope: "payments",
            files: ["src/payments/stripe-webhook.ts", "src/payments/refunds.ts", "src/payments/ledger.ts"],
            tests: ["test/payments/stripe-webhook.test.ts", "test/payments/ledger.test.ts"],
            subjects: [
              "verify Stripe signatures over the raw body",
              "make refunds idempotent on the request id",
              "round ledger amounts with banker's rounding",
            ],
          },
        ],
        settings: { tierRules: [{ pattern: "src/payments/**", tier: "T4_novel" }] },
        incidentTitles: [
          "Stripe webhooks failing signature verification",
          "Invoices generated twice for annual plans",
          "Refunds stuck in pending",
        ],
      },
    ],
  },
];

export const DEPENDENCIES: ReadonlyArray<readonly [string, string, string]> = [
  ["zod", "colinhacks/zod", "4.1."],
  ["hono", "honojs/hono", "4.13."],
  ["pino", "pinojs/pino", "10.4."],
  ["drizzle-orm", "drizzle-team/drizzle-orm", "0.45."],
  ["vitest", "vitest-dev/vitest", "5.1."],
  ["typescript", "microsoft/TypeScript", "5.9."],
  ["@types/node", "DefinitelyTyped/DefinitelyTyped", "24.19."],
  ["pg", "brianc/node-postgres", "8.23."],
  ["react", "facebook/react", "19.3."],
  ["vite", "vitejs/vite", "8.3."],
];

export const COMMIT_BODIES: readonly string[] = [
  "The old behaviour surprised people on call twice this month.",
  "Found while debugging a flaky test; the race only shows up under load.",
  "Keeps the public API unchanged; only the internals move.",
  "Follow-up to the review comments on the previous PR.",
  "Measured locally: roughly 30% fewer queries on the hot path.",
  "No migration needed; old rows are read the same way.",
];

export const REVIEW_FOLLOW_UPS: readonly string[] = [
  "address review feedback",
  "rename per review",
  "add missing test case",
  "fix lint",
  "handle the null case",
];

/** AI tools as they appear in git (signatures.ts). */
export type AiToolKey =
  | "claude-code"
  | "cursor"
  | "copilot"
  | "copilot-agent"
  | "codex"
  | "aider"
  | "devin"
  | "amp";

/** The name Claude Code gives itself in its co-author trailer; older versions say just "Claude". */
export const CLAUDE_NAMES: readonly string[] = [
  "Claude",
  "Claude Sonnet 4.5",
  "Claude Opus 4.6",
  "Claude Opus 4.7 (1M context)",
];

export const AIDER_MODELS: readonly string[] = [
  "anthropic/claude-sonnet-4-5",
  "openai/gpt-5",
  "deepseek/deepseek-chat",
];

export const BOTS = {
  copilotAgent: {
    name: "copilot-swe-agent[bot]",
    email: "198982749+Copilot@users.noreply.github.com",
    login: "Copilot",
  },
  devin: {
    name: "devin-ai-integration[bot]",
    email: "158243242+devin-ai-integration[bot]@users.noreply.github.com",
    login: "devin-ai-integration[bot]",
  },
  dependabot: {
    name: "dependabot[bot]",
    email: "49699333+dependabot[bot]@users.noreply.github.com",
    login: "dependabot[bot]",
  },
  renovate: {
    name: "renovate[bot]",
    email: "29139614+renovate[bot]@users.noreply.github.com",
    login: "renovate[bot]",
  },
  github: { name: "GitHub", email: "noreply@github.com", login: "web-flow" },
} as const;

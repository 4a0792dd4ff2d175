import { describe, expect, it } from "vitest";
import { attributeCommit } from "../../../src/core/attribution/engine.ts";
import { matchesGlob } from "../../../src/core/attribution/glob.ts";
import { classifyTier, compileTierContext } from "../../../src/core/attribution/tiers.ts";
import type { AttributionContext } from "../../../src/core/attribution/types.ts";
import type { RiskTier } from "../../../src/core/enums.ts";
import { commit, expectWellFormed } from "./helpers.ts";

function tierOf(
  path: string,
  addedLines: string[] = ["const x = 1;"],
  context: AttributionContext = {},
  binary = false,
) {
  return classifyTier(
    { path, binary, addedLines, hasPatch: addedLines.length > 0 },
    compileTierContext(context),
  );
}

const PATH_CASES: Array<[string, RiskTier, RegExp]> = [
  // T1 boilerplate
  ["package-lock.json", "T1_boilerplate", /lockfile/],
  ["yarn.lock", "T1_boilerplate", /lockfile/],
  ["apps/web/pnpm-lock.yaml", "T1_boilerplate", /lockfile/],
  ["Cargo.lock", "T1_boilerplate", /lockfile/],
  ["go.sum", "T1_boilerplate", /lockfile/],
  ["poetry.lock", "T1_boilerplate", /lockfile/],
  ["vendor/github.com/pkg/errors/errors.go", "T1_boilerplate", /vendored/],
  ["third_party/zlib/inflate.c", "T1_boilerplate", /vendored/],
  ["web/node_modules/left-pad/index.js", "T1_boilerplate", /vendored/],
  ["dist/app.min.js", "T1_boilerplate", /dist/],
  ["public/js/chart.min.js", "T1_boilerplate", /minified/],
  ["static/site-min.css", "T1_boilerplate", /minified|asset/],
  ["api/v1/orders.pb.go", "T1_boilerplate", /protobuf/],
  ["proto/orders_pb2.py", "T1_boilerplate", /protobuf/],
  ["src/__generated__/graphql.ts", "T1_boilerplate", /generated/],
  ["docs/x.md", "T1_boilerplate", /documentation/],
  ["README.md", "T1_boilerplate", /documentation/],
  ["docs/guide/setup.rst", "T1_boilerplate", /documentation/],
  ["LICENSE", "T1_boilerplate", /documentation/],
  [".github/workflows/ci.yml", "T1_boilerplate", /configuration/],
  ["tsconfig.json", "T1_boilerplate", /configuration/],
  ["vite.config.ts", "T1_boilerplate", /configuration/],
  [".eslintrc", "T1_boilerplate", /configuration/],
  ["deploy/Dockerfile", "T1_boilerplate", /configuration/],
  ["db/migrations/001.sql", "T1_boilerplate", /migration/],
  ["db/migrate/20240101_create_users.rb", "T1_boilerplate", /migration/],
  ["drizzle/0003_add_keys.sql", "T1_boilerplate", /migration/],
  ["types/global.d.ts", "T1_boilerplate", /type declarations/],
  ["types/express/index.d.ts", "T1_boilerplate", /type declarations/],
  ["src/components/__snapshots__/Button.test.tsx.snap", "T1_boilerplate", /scaffolding/],
  ["test/fixtures/orders.json", "T1_boilerplate", /scaffolding|configuration/],
  ["src/__mocks__/axios.ts", "T1_boilerplate", /scaffolding/],
  ["pkg/parser/testdata/input.go", "T1_boilerplate", /scaffolding/],
  ["assets/logo.png", "T1_boilerplate", /asset/],
  // T2 glue
  ["src/routes/users.ts", "T2_glue", /routing/],
  ["app/api/orders.routes.ts", "T2_glue", /routing/],
  ["shop/urls.py", "T2_glue", /routing/],
  ["src/server/main.ts", "T2_glue", /wiring/],
  ["cmd/server/main.go", "T2_glue", /wiring|CLI/],
  ["src/app.module.ts", "T2_glue", /wiring/],
  ["src/adapters/stripe.ts", "T2_glue", /adapter/],
  ["src/payments/stripe-adapter.ts", "T2_glue", /adapter/],
  ["src/github/client.ts", "T2_glue", /API client/],
  ["src/lib/billingClient.ts", "T2_glue", /API client/],
  ["src/cli/index.ts", "T2_glue", /barrel|CLI/],
  ["bin/sentinel.js", "T2_glue", /CLI/],
  // T3 core (default) and tests
  ["src/service/orders.ts", "T3_core", /default/],
  ["src/components/Button.tsx", "T3_core", /default/],
  ["test/service/orders.test.ts", "T3_core", /test code/],
  ["test/auth/session.test.ts", "T3_core", /test code/],
  ["pkg/orders/orders_test.go", "T3_core", /test code/],
  // T4 novel by path
  ["src/auth/session.ts", "T4_novel", /security-sensitive path/],
  ["src/lib/crypto.ts", "T4_novel", /security-sensitive path/],
  ["src/middleware/requireAuth.ts", "T4_novel", /security-sensitive path/],
  ["app/services/password_reset.rb", "T4_novel", /security-sensitive path/],
  ["src/permissions/roles.ts", "T4_novel", /security-sensitive path/],
  ["src/util/sanitizeHtml.ts", "T4_novel", /security-sensitive path/],
  ["src/routes/login.ts", "T4_novel", /security-sensitive path/],
  ["internal/sync/mutex.go", "T4_novel", /security-sensitive path/],
];

describe("risk tiers by path (real-world paths)", () => {
  it.each(PATH_CASES)("%s → %s", (path, tier, reason) => {
    const decision = tierOf(path);
    expect(decision.tier).toBe(tier);
    expect(decision.reason).toMatch(reason);
  });

  it("a binary file is boilerplate", () => {
    expect(tierOf("src/model.bin", [], {}, true)).toEqual({ tier: "T1_boilerplate", reason: "binary file" });
  });
});

const CODE_CASES: Array<[string, string[], RegExp]> = [
  [
    "exec(",
    ['const { exec } = require("node:child_process");', 'exec("git log " + ref, cb);'],
    /spawns processes/,
  ],
  ["bare exec call", ["exec(userCommand);"], /spawns processes/],
  ["spawn", ["const p = cp.spawn('ffmpeg', args);"], /spawns processes/],
  ["python subprocess", ["out = subprocess.run(cmd, shell=True)"], /spawns processes/],
  ["go exec.Command", ['cmd := exec.Command("sh", "-c", s)'], /spawns processes/],
  ["eval", ["const fn = eval(src);"], /evaluates code/],
  ["new Function", ["const f = new Function('a', body);"], /evaluates code/],
  [
    "raw SQL",
    ['const rows = await db.query("SELECT id, email FROM users WHERE name = \'" + name + "\'");'],
    /raw SQL/,
  ],
  ["sql.raw", ["await db.execute(sql.raw(q));"], /raw SQL/],
  ["crypto hash", ['const h = createHash("sha256").update(s).digest("hex");'], /cryptography/],
  ["jwt", ["const claims = jwt.verify(token, key);"], /cryptography/],
  ["permission check", ["if (!hasPermission(user, 'orders:write')) throw forbidden();"], /permissions/],
  ["innerHTML", ["el.innerHTML = html;"], /sanitising/],
  ["Atomics", ["Atomics.wait(view, 0, 0);"], /concurrency/],
  ["worker_threads", ['import { Worker } from "node:worker_threads";'], /concurrency/],
  ["goroutine", ["\tgo worker(jobs, results)"], /concurrency/],
  ["sync.Mutex", ["\tmu sync.Mutex"], /concurrency/],
  ["python threading", ["t = threading.Thread(target=run)"], /concurrency/],
];

describe("risk tiers by added code", () => {
  it.each(CODE_CASES)("%s → T4", (_name, lines, reason) => {
    const decision = tierOf("src/service/orders.ts", lines);
    expect(decision.tier).toBe("T4_novel");
    expect(decision.reason).toMatch(reason);
  });

  it.each([
    ["a RegExp.exec call", ["const m = RE.exec(line);"]],
    ["the word select in a string", ['const label = "select a user from the list";']],
    [
      "plain code",
      ["export function total(items) {", "  return items.reduce((n, i) => n + i.price, 0);", "}"],
    ],
  ])("%s stays T3", (_name, lines) => {
    expect(tierOf("src/service/orders.ts", lines).tier).toBe("T3_core");
  });

  it("deeply nested branching is high complexity", () => {
    const lines = [
      "function f(a) {",
      "  for (const x of a) {",
      "    if (x) {",
      "      while (x.next) {",
      "        if (x.y) {",
      "          for (const z of x.y) {",
      "            if (z.ok) {",
      "              return z;",
      "            }",
      "          }",
      "        }",
      "      }",
      "    }",
      "  }",
      "}",
    ];
    const decision = tierOf("src/service/orders.ts", lines);
    expect(decision.tier).toBe("T4_novel");
    expect(decision.reason).toMatch(/nesting depth 6/);
    // The same code one level shallower is ordinary.
    expect(
      tierOf(
        "src/service/orders.ts",
        lines.filter((_, i) => i !== 6 && i !== 8),
      ).tier,
    ).toBe("T3_core");
  });

  it("many decision points are high complexity", () => {
    const lines = Array.from({ length: 40 }, (_, i) => `if (a === ${i}) return ${i};`);
    expect(tierOf("src/service/orders.ts", lines).reason).toMatch(/40 decision points/);
    expect(tierOf("src/service/orders.ts", lines.slice(0, 39)).tier).toBe("T3_core");
  });

  it("an index.ts of re-exports is a barrel (T2); an index.ts with logic is not", () => {
    const barrel = [
      'export * from "./orders.ts";',
      'export { total, tax } from "./math.ts";',
      'export type { Order } from "./types.ts";',
      "export {",
      "  a,",
      "  b as c,",
      '} from "./ab.ts";',
    ];
    expect(tierOf("src/index.ts", barrel)).toEqual({ tier: "T2_glue", reason: "barrel file of re-exports" });
    expect(tierOf("src/index.ts", [...barrel, "export const total = (xs) => xs.length;"]).tier).toBe(
      "T3_core",
    );
  });

  it("docs and fixtures that mention exec stay T1", () => {
    expect(tierOf("docs/security.md", ["exec(cmd)"]).tier).toBe("T1_boilerplate");
    expect(tierOf("test/fixtures/auth.json", ['{"eval(": 1}']).tier).toBe("T1_boilerplate");
  });

  it("a Go file with a generated-code header is boilerplate", () => {
    const decision = tierOf("internal/api/zz_types.go", [
      "// Code generated by oapi-codegen. DO NOT EDIT.",
      "package api",
    ]);
    expect(decision).toEqual({ tier: "T1_boilerplate", reason: "generated-code header" });
  });
});

describe("organization rules, .gitattributes and CODEOWNERS", () => {
  it("tier rules win first, first match wins", () => {
    const context: AttributionContext = {
      tierRules: [
        { pattern: "src/legacy/**", tier: "T1_boilerplate" },
        { pattern: "**/*.sql", tier: "T4_novel" },
        { pattern: "src/**", tier: "T2_glue" },
      ],
    };
    expect(tierOf("src/legacy/auth/session.ts", ["exec(x)"], context)).toEqual({
      tier: "T1_boilerplate",
      reason: 'tier rule "src/legacy/**"',
    });
    expect(tierOf("db/migrations/001.sql", [], context).tier).toBe("T4_novel");
    expect(tierOf("src/service/orders.ts", [], context).tier).toBe("T2_glue");
    expect(tierOf("lib/service/orders.ts", [], context).tier).toBe("T3_core");
  });

  it("CODEOWNERS entries owned by a security team raise to T4; the last matching entry decides", () => {
    const codeowners = [
      "# owners",
      "*                 @acme/engineering",
      "/src/billing/     @acme/payments @acme/security",
      "/src/billing/docs/ @acme/docs",
      "*.tf              @acme/appsec",
      "/lib/ @jane",
    ].join("\n");
    expect(tierOf("src/billing/invoice.ts", ["const x = 1;"], { codeowners })).toEqual({
      tier: "T4_novel",
      reason: 'CODEOWNERS "/src/billing/" owned by @acme/security',
    });
    expect(tierOf("infra/main.tf", [], { codeowners }).tier).toBe("T4_novel");
    expect(tierOf("src/billing/docs/readme.md", [], { codeowners }).tier).toBe("T1_boilerplate");
    expect(tierOf("src/service/orders.ts", ["const x = 1;"], { codeowners }).tier).toBe("T3_core");
    // An organization rule still wins over CODEOWNERS.
    expect(
      tierOf("src/billing/invoice.ts", [], {
        codeowners,
        tierRules: [{ pattern: "src/billing/*.ts", tier: "T3_core" }],
      }).tier,
    ).toBe("T3_core");
  });

  it(".gitattributes linguist-generated / linguist-vendored mark T1, and can be unset", () => {
    const gitattributes = [
      "api/openapi/*.ts linguist-generated=true",
      "lib/bundled/** linguist-vendored",
      "dist/keep/** -linguist-vendored",
      "*.md -linguist-documentation",
    ].join("\n");
    expect(tierOf("api/openapi/client.ts", ["x"], { gitattributes })).toEqual({
      tier: "T1_boilerplate",
      reason: '.gitattributes "api/openapi/*.ts" linguist-generated',
    });
    expect(tierOf("lib/bundled/auth/jwt.js", ["jwt.verify(t)"], { gitattributes }).reason).toMatch(
      /linguist-vendored/,
    );
    expect(tierOf("dist/keep/orders.ts", ["const x = 1;"], { gitattributes }).tier).toBe("T3_core");
    expect(tierOf("src/notes.md", [], { gitattributes }).tier).toBe("T3_core");
  });

  it("the tier and its reason reach the stored signals", () => {
    const result = attributeCommit(
      commit({
        files: [
          {
            path: "src/auth/session.ts",
            status: "modified",
            additions: 1,
            deletions: 0,
            patch: "@@ -1 +1,2 @@\n x\n+y\n",
          },
        ],
      }),
      {},
    );
    expectWellFormed(result);
    expect(result.files[0]?.riskTier).toBe("T4_novel");
    expect(result.files[0]?.detectionSignals.tierReason).toBe('security-sensitive path ("auth")');
  });
});

describe("glob matcher", () => {
  it.each([
    ["src/**/*.ts", "src/a/b/c.ts", true],
    ["src/**/*.ts", "src/c.ts", true],
    ["src/**/*.ts", "lib/src/c.ts", false],
    ["*.sql", "db/migrations/001.sql", true],
    ["/build", "build/out.js", true],
    ["/build", "src/build/out.js", false],
    ["docs/", "docs/a/b.md", true],
    ["docs/", "docs", false],
    ["src/*.{ts,tsx}", "src/a.tsx", true],
    ["src/*.{ts,tsx}", "src/a/b.ts", false],
    ["file?.js", "lib/file1.js", true],
    ["a.b", "axb", false],
  ])("%s ~ %s = %s", (pattern, path, expected) => {
    expect(matchesGlob(path, pattern)).toBe(expected);
  });
});

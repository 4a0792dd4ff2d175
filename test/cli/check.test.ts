import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckDocument } from "../../src/cli/check/run-check.ts";
import { GitFixture, lines, runCli } from "./helpers/git-fixture.ts";

// `sentinel check` as a CI job runs it: a repository built with git, a feature branch of three
// commits (Claude in a security-owned auth module, a human helper, Cursor in docs), policies from
// files, and the exit code, JSON and Markdown asserted.

const CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>";
let repo: GitFixture;
let dir: string;
const sha: Record<string, string> = {};

beforeAll(() => {
  repo = GitFixture.create("sentinel-check-");
  repo.write(".github/CODEOWNERS", "*.ts @dana\n/src/auth/ @acme/security\n");
  repo.write("src/app.ts", lines(5, "const app"));
  sha.base = repo.commit("Initial app", { date: "2024-03-01T10:00:00Z" });
  repo.git(["checkout", "-q", "-b", "feature"]);
  repo.write("src/auth/session.ts", lines(12, "export const session"));
  sha.claude = repo.commit(`Add session tokens\n\n${CLAUDE}\n`, { date: "2024-03-02T10:00:00Z" });
  repo.write("src/util.ts", lines(7, "export const util"));
  sha.human = repo.commit("Add util", { date: "2024-03-03T10:00:00Z" });
  repo.write("docs/usage.md", lines(3, "usage"));
  sha.cursor = repo.commit("Document usage\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n", {
    date: "2024-03-04T10:00:00Z",
  });
  dir = repo.sibling("out");
}, 60_000);

afterAll(() => repo.remove());

function policy(name: string, document: unknown): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, typeof document === "string" ? document : JSON.stringify(document));
  return path;
}

function check(args: string[]) {
  return runCli(["check", "--repo", repo.dir, ...args]);
}

function checkJson(args: string[]): { code: number; doc: CheckDocument; stdout: string } {
  const out = join(dir, `result-${Math.random().toString(36).slice(2)}.json`);
  const result = check([...args, "--json", out]);
  expect(result.stderr).toBe("");
  return {
    code: result.code,
    doc: JSON.parse(readFileSync(out, "utf8")) as CheckDocument,
    stdout: result.stdout,
  };
}

describe("sentinel check", () => {
  it("with no policy: exit 0, neutral, the PR's exact numbers", () => {
    const { code, doc, stdout } = checkJson(["--base", "main"]);
    expect(code).toBe(0);
    expect(doc.conclusion).toBe("neutral");
    expect(doc.range).toEqual({ base: "main", head: "HEAD", baseSha: sha.base, headSha: sha.cursor });
    expect(doc.summary).toMatchObject({
      commits: 3,
      filesChanged: 3,
      linesAdded: 22,
      aiLines: 15,
      humanLines: 0,
      unknownLines: 7,
      aiShare: 0.6818,
      coverage: 0.6818,
    });
    expect(doc.summary.byTool).toEqual([
      { tool: "claude-code", aiLines: 12, share: 0.8 },
      { tool: "cursor", aiLines: 3, share: 0.2 },
    ]);
    // The auth module is owned by a security team: T4, annotated with its evidence.
    expect(doc.annotations).toEqual([
      {
        path: "src/auth/session.ts",
        level: "warning",
        title: "12 AI-written lines in T4 novel",
        message: expect.stringContaining(
          `Evidence (co-author-trailer, ${sha.claude?.slice(0, 7)}): ${CLAUDE}`,
        ),
      },
    ]);
    expect(stdout).toContain("Sentinel check main..HEAD: NEUTRAL");
    expect(stdout).toContain("No policies set: informative only.");
  });

  it("codeowner-review: requires review, exit 6 when set to failure, exit 0 when set to neutral", () => {
    const failing = policy("review", { policies: [{ kind: "codeowner-review", tiers: ["T4"] }] });
    const { code, doc, stdout } = checkJson(["--base", "main", "--policy", failing]);
    expect(code).toBe(6);
    expect(doc.conclusion).toBe("failure");
    expect(doc.policies[0]).toMatchObject({ outcome: "requires_review", paths: ["src/auth/session.ts"] });
    expect(stdout).toContain(
      "[REQUIRES REVIEW] codeowner-review-1 (failure): 12 AI-written lines in T4 novel",
    );
    const soft = policy("review-neutral", {
      policies: [{ kind: "codeowner-review", conclusion: "neutral" }],
    });
    expect(check(["--base", "main", "--policy", soft]).code).toBe(0);
  });

  it("ai-lines-in-paths: counts only the paths named, against the limit", () => {
    const over = policy("paths-over", {
      policies: [{ kind: "ai-lines-in-paths", paths: ["docs/**"], maxAiLines: 2, conclusion: "failure" }],
    });
    const failed = checkJson(["--base", "main", "--policy", over]);
    expect(failed.code).toBe(6);
    expect(failed.doc.policies[0]?.message).toBe("3 AI-written lines in docs/**: more than 2");
    const within = policy("paths-within", {
      policies: [{ kind: "ai-lines-in-paths", paths: ["docs/**"], maxAiLines: 3, conclusion: "failure" }],
    });
    const passed = checkJson(["--base", "main", "--policy", within]);
    expect(passed.code).toBe(0);
    expect(passed.doc.conclusion).toBe("success");
  });

  it("evidence-required: the human commit alone has no evidence and gets a notice, exit 0", () => {
    const notice = policy("evidence", { policies: [{ kind: "evidence-required", minLines: 5 }] });
    const { code, doc } = checkJson([
      "--base",
      sha.claude as string,
      "--head",
      sha.human as string,
      "--policy",
      notice,
    ]);
    expect(code).toBe(0);
    expect(doc.summary).toMatchObject({ commits: 1, linesAdded: 7, aiLines: 0, coverage: 0 });
    expect(doc.policies[0]).toMatchObject({ outcome: "fail", effect: "notice" });
    expect(doc.conclusion).toBe("success");
  });

  it("writes GitHub-flavoured Markdown with links to the commit pages", () => {
    const md = join(dir, "summary.md");
    const result = check([
      "--base",
      "main",
      "--markdown",
      md,
      "--commit-url",
      "https://sentinel.example/acme/commits/{sha}",
    ]);
    expect(result.code).toBe(0);
    const text = readFileSync(md, "utf8");
    expect(text.split("\n")[0]).toBe("## ℹ️ Sentinel: AI wrote 15 of 22 added lines (68%) · no policies set");
    expect(text).toContain(
      `| \`src/auth/session.ts\` | T4 novel | 12 / 12 | \`claude-code\` | \`${CLAUDE}\` | [${sha.claude?.slice(0, 7)}](https://sentinel.example/acme/commits/${sha.claude}) |`,
    );
    expect(text).toContain("| `cursor` | 3 | 20% |");
  });

  it("bad input: a clear line on stderr and its own exit code, nothing written", () => {
    const out = join(dir, "never.json");
    const cases: Array<[string[], number, RegExp]> = [
      [["--policy", policy("bad-json", "{")], 2, /not JSON/],
      [["--policy", policy("bad-kind", { policies: [{ kind: "nope" }] })], 2, /invalid policy: policies\.0/],
      [
        [
          "--policy",
          policy("bad-glob", { policies: [{ kind: "ai-lines-in-paths", paths: ["[z-a]"], maxAiLines: 0 }] }),
        ],
        2,
        /out of order/,
      ],
      [["--policy", join(dir, "missing.json")], 3, /no such policy file/],
    ];
    for (const [args, code, message] of cases) {
      const result = check(["--base", "main", ...args, "--json", out]);
      expect(result.code, args.join(" ")).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    }
    expect(check(["--base", "no-such-branch"]).stderr).toMatch(/no commit named no-such-branch/);
    expect(check(["--base", "no-such-branch"]).code).toBe(5);
    expect(check(["--base", "--all"]).code).toBe(2);
    expect(check([]).code).toBe(2); // --base is required
    expect(runCli(["check", "--base", "main", "--repo", repo.sibling("not-a-repo")]).code).toBe(5);
    expect(() => readFileSync(out)).toThrow();
  });
});

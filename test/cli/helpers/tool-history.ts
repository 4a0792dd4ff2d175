import { GitFixture, HUMAN, lines, type Person } from "./git-fixture.ts";

// One repository whose history holds a commit by each kind of author the engine knows, in each
// tool's real format (see ../shared/ai-signatures.md), plus the git shapes that trip parsers.

export const CLAUDE_FOOTER = "🤖 Generated with [Claude Code](https://claude.com/claude-code)";
const COPILOT_AGENT: Person = {
  name: "copilot-swe-agent[bot]",
  email: "198982749+Copilot@users.noreply.github.com",
};
const DEPENDABOT: Person = {
  name: "dependabot[bot]",
  email: "49699333+dependabot[bot]@users.noreply.github.com",
};
const AIDER: Person = { name: "Dana Developer (aider)", email: "dana@example.com" };

export interface ToolHistory {
  repo: GitFixture;
  sha: Record<
    | "human"
    | "claude"
    | "copilot"
    | "cursor"
    | "aider"
    | "dependabot"
    | "binary"
    | "rename"
    | "branchClaude"
    | "mainHuman"
    | "merge"
    | "squash"
    | "latin1"
    | "gitAi"
    | "agentTrace",
    string
  >;
}

export function buildToolHistory(): ToolHistory {
  const repo = GitFixture.create();
  const sha = {} as ToolHistory["sha"];

  repo.write("src/app.ts", lines(10, "const app"));
  repo.write("package.json", '{\n  "name": "demo",\n  "version": "1.0.0"\n}\n');
  sha.human = repo.commit("Initial app", { date: "2024-01-10T10:00:00Z" });

  repo.write("src/app.ts", lines(10, "const app") + lines(5, "export const retry"));
  sha.claude = repo.commit(
    `Add retry helper\n\n${CLAUDE_FOOTER}\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n`,
    { date: "2024-01-15T10:00:00Z" },
  );

  repo.write("src/feature.ts", lines(8, "export function feature"));
  sha.copilot = repo.commit(
    "Add feature flag parsing\n\nAgent-Logs-Url: https://github.com/acme/demo/sessions/0f6a3a42-1d52-4b4f-9e0f-3f1e7f0e7c11\nCo-authored-by: Dana Developer <dana@example.com>\n",
    { author: COPILOT_AGENT, date: "2024-02-03T10:00:00Z" },
  );

  repo.write("src/ui.ts", lines(4, "render"));
  sha.cursor = repo.commit("Render the list\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n", {
    date: "2024-02-10T10:00:00Z",
  });

  repo.write("src/fix.ts", lines(3, "fix"));
  sha.aider = repo.commit("aider: fix off-by-one in pagination", {
    author: AIDER,
    date: "2024-02-20T10:00:00Z",
  });

  repo.write("package.json", '{\n  "name": "demo",\n  "version": "1.0.1"\n}\n');
  sha.dependabot = repo.commit("Bump demo from 1.0.0 to 1.0.1", {
    author: DEPENDABOT,
    date: "2024-03-01T10:00:00Z",
  });

  repo.write(
    "assets/logo.png",
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]),
  );
  sha.binary = repo.commit("Add logo", { date: "2024-03-05T10:00:00Z" });

  repo.git(["mv", "src/ui.ts", "src/view.ts"]);
  repo.write("src/view.ts", `${lines(4, "render")}export default render;\n`);
  sha.rename = repo.commit("Rename ui to view", { date: "2024-03-10T10:00:00Z" });

  repo.git(["checkout", "-q", "-b", "feature"]);
  repo.write("src/extra.ts", lines(2, "extra"));
  sha.branchClaude = repo.commit(`Add extra\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>\n`, {
    date: "2024-03-12T10:00:00Z",
  });
  repo.git(["checkout", "-q", "main"]);
  repo.write("README.md", "# Demo\n");
  sha.mainHuman = repo.commit("Add README", { date: "2024-03-13T10:00:00Z" });
  sha.merge = repo.merge("feature", "Merge branch 'feature'", "2024-03-15T10:00:00Z");

  repo.write("src/search.ts", lines(6, "search"));
  sha.squash = repo.commit(
    "Add search (#12)\n\n* wip search\n\n* tests\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n",
    {
      author: HUMAN,
      committer: { name: "GitHub", email: "noreply@github.com" },
      date: "2024-03-20T10:00:00Z",
    },
  );

  // A Latin-1 message without an encoding header, and a file name that is not UTF-8.
  repo.writeRawName(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]), lines(2, "menu"));
  sha.latin1 = repo.commit(Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x6d, 0x65, 0x6e, 0x75, 0x0a]), {
    date: "2024-04-01T10:00:00Z",
  });

  repo.write("src/notes.ts", lines(6, "noted"));
  sha.gitAi = repo.commit("Add notes module", { date: "2024-04-10T10:00:00Z" });
  repo.git(["notes", "--ref=ai", "add", "-F", "-", sha.gitAi], {
    input: [
      "src/notes.ts",
      "  a1b2c3d4e5f60718 1-4",
      "---",
      JSON.stringify({
        schema_version: "authorship/3.0.0",
        base_commit_sha: sha.gitAi,
        prompts: {
          a1b2c3d4e5f60718: {
            agent_id: { tool: "cursor", id: "p1", model: "gpt-5" },
            human_author: "Dana Developer <dana@example.com>",
            total_additions: 4,
            total_deletions: 0,
            accepted_lines: 4,
            overriden_lines: 0,
          },
        },
      }),
      "",
    ].join("\n"),
  });

  repo.write("src/trace.ts", lines(5, "traced"));
  sha.agentTrace = repo.commit("Add traced module", { date: "2024-04-15T10:00:00Z" });
  // The reference writer appends to this file in the working tree.
  repo.write(
    ".agent-trace/traces.jsonl",
    `${JSON.stringify({
      version: "0.1",
      id: "trace-1",
      timestamp: "2024-04-15T10:00:00Z",
      vcs: { type: "git", revision: sha.agentTrace },
      tool: { name: "claude-code" },
      files: [
        {
          path: "src/trace.ts",
          conversations: [
            {
              contributor: { type: "ai", model_id: "anthropic/claude-sonnet-4" },
              ranges: [{ start_line: 1, end_line: 3 }],
            },
          ],
        },
      ],
    })}\n`,
  );
  return { repo, sha };
}

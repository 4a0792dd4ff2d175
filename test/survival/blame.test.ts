import { symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { GitFixture } from "../cli/helpers/git-fixture.ts";
import { blameOrigins, buildHistory, nonEmpty, type PlannedCommit, runLedger } from "./helpers.ts";

// The ledger's answer for every line of the end revision equals `git blame -w`'s (and
// `git blame -w --first-parent`'s on a first-parent walk): on hand-built histories with each hard
// case, and on random ones.

const cleanup: GitFixture[] = [];
afterAll(() => {
  for (const repo of cleanup) repo.remove();
});

const HOUR = 3600;
const T0 = 1_700_000_000;
const text = (...lines: string[]) => lines.map((l) => `${l}\n`).join("");
const numbered = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`);

async function expectBlameAgrees(commits: PlannedCommit[], options: { firstParent?: boolean } = {}) {
  const built = buildHistory(commits);
  cleanup.push(built.repo);
  const tip = built.repo.head();
  const run = await runLedger(built.repo.dir, [tip], options);
  expect(run.tip).toBe(tip);
  expect(run.ledger.mismatches).toBe(0);
  expect(nonEmpty(run.origins)).toEqual(nonEmpty(blameOrigins(built.repo, tip, options)));
  return { built, run };
}

describe("line provenance equals git blame -w", () => {
  it("follows a rename with an edit, and a moved block is the mover's (as blame without -M)", async () => {
    const body = numbered("original", 12);
    const moved = [...body.slice(4, 8), ...body.slice(0, 4), ...body.slice(8)];
    const { built, run } = await expectBlameAgrees([
      { id: "add", parents: [], time: T0, files: { "src/a.txt": text(...body) } },
      {
        id: "rename",
        parents: ["add"],
        time: T0 + HOUR,
        files: { "lib/b.txt": text(...body.slice(0, 11), "changed 12") },
      },
      {
        id: "move",
        parents: ["rename"],
        time: T0 + 2 * HOUR,
        files: { "lib/b.txt": text(...moved.slice(0, 11), "changed 12") },
      },
    ]);
    const origins = run.origins["lib/b.txt"] ?? [];
    expect(origins.filter((s) => s === built.sha("add"))).toHaveLength(7);
    expect(origins.filter((s) => s === built.sha("move"))).toHaveLength(4);
    expect(origins.at(-1)).toBe(built.sha("rename"));
  });

  it("does not count whitespace-only edits as rewrites", async () => {
    const { built, run } = await expectBlameAgrees([
      { id: "add", parents: [], time: T0, files: { "a.py": text("def f(x):", "return x", "y = 1") } },
      {
        id: "indent",
        parents: ["add"],
        time: T0 + HOUR,
        files: { "a.py": text("def f(x) :", "    return  x", "y=1", "z = 2") },
      },
    ]);
    expect(run.origins["a.py"]).toEqual([
      built.sha("add"),
      built.sha("add"),
      built.sha("add"),
      built.sha("indent"),
    ]);
  });

  it("gives lines that came in through a merge to the branch commits that wrote them", async () => {
    const base = numbered("base", 6);
    const { built, run } = await expectBlameAgrees([
      { id: "base", parents: [], time: T0, files: { "f.txt": text(...base), "g.txt": text("g1", "g2") } },
      {
        id: "side",
        parents: ["base"],
        time: T0 + HOUR,
        files: { "f.txt": text(...base, "side 1", "side 2"), "g.txt": text("g1", "g2") },
      },
      {
        id: "main",
        parents: ["base"],
        time: T0 + 2 * HOUR,
        files: { "f.txt": text("main 1", ...base), "g.txt": text("g1", "g2", "g3") },
      },
      {
        // The merge keeps both sides, adds a line of its own, and takes g.txt as the side had it.
        id: "merge",
        parents: ["main", "side"],
        time: T0 + 3 * HOUR,
        files: {
          "f.txt": text("main 1", ...base, "side 1", "side 2", "resolution"),
          "g.txt": text("g1", "g2"),
        },
      },
    ]);
    expect(run.origins["f.txt"]).toEqual([
      built.sha("main"),
      ...base.map(() => built.sha("base")),
      built.sha("side"),
      built.sha("side"),
      built.sha("merge"),
    ]);
  });

  it("treats a merge as one commit on a first-parent walk (git blame --first-parent)", async () => {
    const { built, run } = await expectBlameAgrees(
      [
        { id: "base", parents: [], time: T0, files: { "f.txt": text("a", "b") } },
        { id: "side", parents: ["base"], time: T0 + HOUR, files: { "f.txt": text("a", "b", "side") } },
        { id: "main", parents: ["base"], time: T0 + 2 * HOUR, files: { "f.txt": text("main", "a", "b") } },
        {
          id: "merge",
          parents: ["main", "side"],
          time: T0 + 3 * HOUR,
          files: { "f.txt": text("main", "a", "b", "side") },
        },
      ],
      { firstParent: true },
    );
    expect(run.origins["f.txt"]?.at(-1)).toBe(built.sha("merge"));
  });

  it("a revert removes a commit's lines and a re-revert brings them back as its own", async () => {
    const { built, run } = await expectBlameAgrees([
      { id: "base", parents: [], time: T0, files: { "f.txt": text("keep 1", "keep 2") } },
      {
        id: "feature",
        parents: ["base"],
        time: T0 + HOUR,
        files: { "f.txt": text("keep 1", "feature a", "feature b", "keep 2") },
      },
      {
        id: "revert",
        parents: ["feature"],
        time: T0 + 2 * HOUR,
        files: { "f.txt": text("keep 1", "keep 2") },
      },
      {
        id: "reapply",
        parents: ["revert"],
        time: T0 + 3 * HOUR,
        files: { "f.txt": text("keep 1", "feature a", "feature b", "keep 2") },
      },
    ]);
    expect(run.origins["f.txt"]).toEqual([
      built.sha("base"),
      built.sha("reapply"),
      built.sha("reapply"),
      built.sha("base"),
    ]);
    // The feature's lines died with the revert, an hour after they were written.
    const feature = run.ledger.shas.indexOf(built.sha("feature"));
    const revert = run.ledger.shas.indexOf(built.sha("revert"));
    const killers = [];
    for (let id = 1; id < run.ledger.idLimit; id++) {
      if (run.ledger.group(run.ledger.groupOf(id)).commit === feature) killers.push(run.ledger.killerOf(id));
    }
    expect(killers).toEqual([revert, revert]);
  });

  it("counts lines before a range as older than it (blame's boundary)", async () => {
    const built = buildHistory([
      { id: "one", parents: [], time: T0, files: { "f.txt": text("a", "b"), "untouched.txt": text("u") } },
      {
        id: "two",
        parents: ["one"],
        time: T0 + HOUR,
        files: { "f.txt": text("a", "b", "c"), "untouched.txt": text("u") },
      },
      {
        id: "three",
        parents: ["two"],
        time: T0 + 2 * HOUR,
        files: { "f.txt": text("a", "B", "c"), "untouched.txt": text("u") },
      },
    ]);
    cleanup.push(built.repo);
    const range = `${built.sha("one")}..${built.sha("three")}`;
    const run = await runLedger(built.repo.dir, [range]);
    const blame = blameOrigins(built.repo, built.sha("three"), { range });
    expect(run.origins["f.txt"]).toEqual(blame["f.txt"]);
    expect(blame["untouched.txt"]).toEqual(["^"]);
    expect(run.origins["untouched.txt"]).toBeUndefined(); // never touched: counted from the tree (countTreeLines)
  });
});

describe("the history reader", () => {
  it("pairs every file with its diff: quoted and non-UTF-8 names, whitespace-only files, binaries, type changes", async () => {
    const repo = GitFixture.create("sentinel-survival-names-");
    cleanup.push(repo);
    const names = ["a b.txt", 'q"uote.txt', "tab\there.txt", "é.txt", "plain.txt"];
    for (const name of names) repo.write(name, text(`${name} one`, `${name} two`, "same"));
    repo.writeRawName(Buffer.from([0x6e, 0xe4, 0x6d, 0x65]), text("latin one", "latin two"));
    symlinkSync("plain.txt", join(repo.dir, "link"));
    repo.commit("first", { date: "2024-01-01T00:00:00Z" });
    // Whitespace only in two files (git -w prints no section for them) around a real edit.
    repo.write("a b.txt", text("a b.txt  one", "a b.txt two", "same"));
    repo.write("é.txt", text("é.txt one", "changed", "same"));
    repo.write("plain.txt", text("plain.txt one", "plain.txt two", "  same"));
    repo.write("bin.dat", Buffer.from([0, 1, 2, 0, 255]));
    unlinkSync(join(repo.dir, "link"));
    writeFileSync(join(repo.dir, "link"), text("now a file", "of two lines"));
    repo.commit("second", { date: "2024-01-02T00:00:00Z" });
    repo.writeRawName(Buffer.from([0x6e, 0xe4, 0x6d, 0x65]), text("latin one", "latin 2"));
    repo.write('q"uote.txt', text('q"uote.txt one', "new", "same"));
    repo.commit("third", { date: "2024-01-03T00:00:00Z" });
    const tip = repo.head();
    const run = await runLedger(repo.dir, [tip]);
    expect(run.ledger.mismatches).toBe(0);
    const blame = blameOrigins(repo, tip);
    delete blame["bin.dat"]; // binary: not tracked
    const latin = "n\uFFFDme";
    expect(run.origins[latin]).toEqual([repo.git(["rev-parse", "HEAD~2"]).trim(), tip]);
    delete run.origins[latin];
    expect(Object.keys(run.origins).sort()).toEqual(Object.keys(blame).sort());
    for (const [path, origins] of Object.entries(blame)) expect(run.origins[path], path).toEqual(origins);
  });
});

describe("a user's git configuration", () => {
  it("does not change the walk: prefixes, merged hunks, root diffs, diff algorithm", async () => {
    const built = buildHistory([
      { id: "one", parents: [], time: T0, files: { "f.txt": text(...numbered("l", 12)) } },
      {
        id: "two",
        parents: ["one"],
        time: T0 + HOUR,
        files: {
          "f.txt": text("l 1", "x", ...numbered("l", 12).slice(2, 4), "y", ...numbered("l", 12).slice(5)),
        },
      },
    ]);
    cleanup.push(built.repo);
    const config = [
      "[diff]",
      "\tmnemonicPrefix = true",
      "\tinterHunkContext = 5",
      "\talgorithm = histogram",
      "[log]",
      "\tshowRoot = false",
    ].join("\n");
    writeFileSync(join(built.repo.home, "gitconfig"), `${config}\n`);
    const saved = { global: process.env.GIT_CONFIG_GLOBAL };
    process.env.GIT_CONFIG_GLOBAL = join(built.repo.home, "gitconfig");
    try {
      const run = await runLedger(built.repo.dir, [built.sha("two")]);
      expect(run.ledger.mismatches).toBe(0);
      expect(run.origins["f.txt"]).toEqual(
        ["one", "two", "one", "one", "two", ...Array(7).fill("one")].map((id) => built.sha(id)),
      );
    } finally {
      if (saved.global === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = saved.global;
    }
  });
});

// Random histories: a few files, branches and merges whose result mixes both sides, renames and
// whitespace-only edits, built from one list of numbers.
const WORDS = [
  "alpha",
  "beta",
  "gamma",
  "delta",
  "epsilon",
  "zeta",
  "{",
  "}",
  "return x;",
  "",
  "x = 1",
  "eta",
];
const PATHS = ["a.txt", "b.txt", "src/c.txt", "src/d.txt"];

interface Step {
  op: number;
  a: number;
  b: number;
  words: number[];
}

function historyFrom(steps: Step[]): PlannedCommit[] {
  const commits: PlannedCommit[] = [];
  const tips = new Map<string, string>();
  const trees = new Map<string, Record<string, string[]>>();
  let current = "main";
  let time = T0;
  const commit = (branch: string, parents: string[], files: Record<string, string[]>) => {
    const id = `c${commits.length}`;
    time += HOUR;
    commits.push({
      id,
      parents,
      time,
      files: Object.fromEntries(Object.entries(files).map(([p, lines]) => [p, text(...lines)])),
    });
    tips.set(branch, id);
    trees.set(id, files);
    return id;
  };
  const line = (w: number) => {
    const word = WORDS[w % WORDS.length] ?? "";
    return w % 5 === 0 ? `  ${word}` : w % 7 === 0 ? word.replace(" ", "") : word;
  };
  commit("main", [], { "a.txt": ["alpha", "beta", "gamma", "delta"], "src/c.txt": ["{", "return x;", "}"] });
  for (const step of steps) {
    const tip = tips.get(current) as string;
    const files = structuredClone(trees.get(tip) ?? {});
    const paths = Object.keys(files).sort();
    const path = paths[step.a % Math.max(1, paths.length)];
    const op = Math.min(step.op % 12, 9);
    const mergeInto = (into: string, from: string) => {
      // Per file: one side, or the receiving side plus the other's new lines (and maybe a line of its own).
      const ours = trees.get(tips.get(into) as string) ?? {};
      const theirs = trees.get(tips.get(from) as string) ?? {};
      const merged: Record<string, string[]> = {};
      for (const p of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
        const pick = (step.b + p.length) % 4;
        const o = ours[p];
        const t = theirs[p];
        if (pick === 0 && o) merged[p] = [...o];
        else if (pick === 1 && t) merged[p] = [...t];
        else if (o && t)
          merged[p] = [...o, ...t.filter((l) => !o.includes(l)), ...(pick === 3 ? ["resolved"] : [])];
        else if (o ?? t) merged[p] = [...((o ?? t) as string[])];
      }
      commit(into, [tips.get(into) as string, tips.get(from) as string], merged);
      current = into;
    };
    if (op <= 3 && path !== undefined) {
      // Edit: replace a stretch of lines with new ones (either may be empty).
      const lines = files[path] ?? [];
      const at = step.b % (lines.length + 1);
      const removeCount = op === 0 ? 0 : (step.a >> 3) % 3;
      lines.splice(at, removeCount, ...step.words.map(line));
      files[path] = lines;
      commit(current, [tip], files);
    } else if (op === 4 && path !== undefined) {
      // Whitespace only: re-indent one line, or squeeze its spaces.
      const lines = files[path] ?? [];
      const at = step.b % Math.max(1, lines.length);
      if (lines[at] !== undefined)
        lines[at] = step.a % 2 === 0 ? `\t${lines[at]}` : (lines[at] as string).replace(/ /g, "");
      commit(current, [tip], files);
    } else if (op === 5) {
      files[PATHS[step.b % PATHS.length] as string] =
        step.words.length > 0 ? step.words.map(line) : ["new file"];
      commit(current, [tip], files);
    } else if (op === 6 && path !== undefined) {
      // Rename, the content kept or one line added.
      const target = PATHS.find((p, i) => i >= step.b % PATHS.length && files[p] === undefined);
      if (target === undefined) continue;
      files[target] = [...(files[path] ?? []), ...step.words.slice(0, step.a % 2).map(line)];
      delete files[path];
      commit(current, [tip], files);
    } else if (op === 7 && path !== undefined && paths.length > 1) {
      delete files[path];
      commit(current, [tip], files);
    } else if (op === 8) {
      if (current === "main") {
        const name = `b${step.a % 3}`;
        if (!tips.has(name)) tips.set(name, tip);
        current = name;
      } else {
        current = "main";
      }
    } else if (op === 9) {
      const branch = current === "main" ? [...tips.keys()].find((b) => b !== "main") : current;
      if (branch === undefined) {
        tips.set("b0", tip);
        current = "b0";
        continue;
      }
      if (tips.get(branch) === tips.get("main")) continue;
      if (current === "main" || step.a % 2 === 0) mergeInto("main", branch);
      else mergeInto(branch, "main");
    } else if (path !== undefined) {
      files[path] = [...(files[path] ?? []), "tail"];
      commit(current, [tip], files);
    }
  }
  // End on main: commits only on unmerged branches are outside the walk, as git log would leave them.
  const mainTip = tips.get("main") as string;
  const reachable = new Set<string>();
  const stack = [mainTip];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (reachable.has(id)) continue;
    reachable.add(id);
    stack.push(...(commits.find((c) => c.id === id)?.parents ?? []));
  }
  const kept = commits.filter((c) => reachable.has(c.id));
  // fast-import writes refs/heads/main at each commit; the last one written must be main's tip.
  return [...kept.filter((c) => c.id !== mainTip), kept.find((c) => c.id === mainTip) as PlannedCommit];
}

const steps = fc.array(
  fc.record({
    op: fc.nat(11),
    a: fc.nat(1000),
    b: fc.nat(1000),
    words: fc.array(fc.nat(60), { maxLength: 4 }),
  }),
  { minLength: 2, maxLength: 16 },
);

describe("line provenance on random histories", () => {
  it("equals git blame -w, line for line", async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (s) => {
        const commits = historyFrom(s);
        const built = buildHistory(commits);
        try {
          const tip = built.repo.head();
          const run = await runLedger(built.repo.dir, [tip]);
          expect(nonEmpty(run.origins)).toEqual(nonEmpty(blameOrigins(built.repo, tip)));
        } finally {
          built.repo.remove();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("equals git blame -w --first-parent on a first-parent walk", async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (s) => {
        const built = buildHistory(historyFrom(s));
        try {
          const tip = built.repo.head();
          const run = await runLedger(built.repo.dir, [tip], { firstParent: true });
          expect(nonEmpty(run.origins)).toEqual(
            nonEmpty(blameOrigins(built.repo, tip, { firstParent: true })),
          );
        } finally {
          built.repo.remove();
        }
      }),
      { numRuns: 20 },
    );
  }, 120_000);
});

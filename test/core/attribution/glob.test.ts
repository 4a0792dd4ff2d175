import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileCodeowners, securityOwnerFor } from "../../../src/core/attribution/codeowners.ts";
import { compileGlob, globError, MAX_GLOB_LENGTH, matchesGlob } from "../../../src/core/attribution/glob.ts";
import { compileGitattributes, linguistState } from "../../../src/core/attribution/linguist.ts";
import { classifyTier, compileTierContext } from "../../../src/core/attribution/tiers.ts";

// The glob matcher: a compiled automaton, no backtracking. The regular expression translation it
// replaced is kept here as the oracle for its semantics (it is exact on short inputs without line
// terminators, and the glob matcher must agree with it there).

function referenceTranslate(glob: string): string {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === "*") {
      if (glob.charAt(i + 1) === "*") {
        const atStart = i === 0 || glob.charAt(i - 1) === "/";
        const slashAfter = glob.charAt(i + 2) === "/";
        i++;
        if (atStart && slashAfter) {
          re += "(?:.*/)?";
          i++;
        } else {
          re += ".*";
        }
      } else {
        re += "[^/]*";
      }
    } else if (c === "?") {
      re += "[^/]";
    } else if (c === "{") {
      const close = glob.indexOf("}", i);
      if (close === -1) {
        re += "\\{";
      } else {
        re += `(?:${glob
          .slice(i + 1, close)
          .split(",")
          .map(referenceTranslate)
          .join("|")})`;
        i = close;
      }
    } else if (c === "[") {
      const close = glob.indexOf("]", i + 1);
      if (close === -1) re += "\\[";
      else {
        re += `[${glob
          .slice(i + 1, close)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else {
      re += c.replace(/[.+^$()|\\]/g, "\\$&");
    }
  }
  return re;
}

/** The reference RegExp, or null where it throws (the glob is invalid). */
function reference(pattern: string): RegExp | null {
  let p = pattern.trim();
  const dirOnly = p.endsWith("/");
  if (dirOnly) p = p.slice(0, -1);
  const anchored = p.startsWith("/") || p.includes("/");
  p = p.replace(/^\/+/, "");
  try {
    return new RegExp(
      `^${anchored ? "" : "(?:.*/)?"}${referenceTranslate(p)}${dirOnly ? "/.*" : "(?:/.*)?"}$`,
    );
  } catch {
    return null;
  }
}

function bestOf(run: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe("glob syntax", () => {
  it.each([
    ["src/**/*.ts", "src/a/b/c.ts", true],
    ["src/**/*.ts", "src/c.tsx", false],
    ["**/package-lock.json", "package-lock.json", true],
    ["**/package-lock.json", "apps/web/package-lock.json", true],
    ["src/legacy/**", "src/legacy/a/b.ts", true],
    ["src/legacy/**", "src/legacy", false],
    ["*", "anything/at/all", true],
    ["*.go", "cmd/main.go", true],
    ["a**b", "a/x/y/b", true],
    ["/src/*.ts", "src/a.ts", true],
    ["/src/*.ts", "lib/src/a.ts", false],
    ["build/", "build/out.js", true],
    ["build/", "build", false],
    ["src/{api,web}/*.ts", "src/web/x.ts", true],
    ["src/{api,web}/*.ts", "src/cli/x.ts", false],
    ["src/{a,}x", "src/x", true],
    ["src/{a", "src/{a", true],
    ["v[0-9].ts", "v7.ts", true],
    ["v[0-9].ts", "vx.ts", false],
    ["v[!0-9].ts", "vx.ts", true],
    ["v[^0-9].ts", "v7.ts", false],
    ["v[a-].ts", "v-.ts", true],
    ["v[.ts", "v[.ts", true],
    ["v[].ts", "v].ts", false],
    ["f?o", "lib/f/o", false],
    ["f?o", "lib/fxo", true],
    ["  docs/  ", "docs/a.md", true],
  ])("%s ~ %s = %s", (pattern, path, expected) => {
    expect(matchesGlob(path, pattern)).toBe(expected);
  });

  it("fuzz: agrees with the regular expression translation it replaced", () => {
    const patternPiece = fc.constantFrom(
      "a",
      "b",
      "/",
      "*",
      "**",
      "**/",
      "?",
      "{",
      "}",
      ",",
      "[",
      "]",
      "!",
      "-",
      "^",
      ".",
      "\\",
      " ",
      "(",
    );
    const pathPiece = fc.constantFrom(
      "a",
      "b",
      "/",
      ".",
      "-",
      "^",
      "!",
      "{",
      "}",
      "[",
      "]",
      ",",
      "\\",
      " ",
      "(",
    );
    const pattern = fc.array(patternPiece, { maxLength: 12 }).map((p) => p.join(""));
    const path = fc.array(pathPiece, { maxLength: 12 }).map((p) => p.join(""));
    fc.assert(
      fc.property(pattern, fc.array(path, { minLength: 1, maxLength: 6 }), (p, paths) => {
        const re = reference(p);
        const matcher = compileGlob(p);
        if (p.trim() === "") {
          expect(matcher).toBeNull();
          return;
        }
        expect(matcher === null, `valid: ${JSON.stringify(p)}`).toBe(re === null);
        if (re === null || matcher === null) return;
        for (const q of paths)
          expect(matcher(q), `${JSON.stringify(p)} ~ ${JSON.stringify(q)}`).toBe(re.test(q));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe("invalid globs", () => {
  it("says why", () => {
    expect(globError("src/[z-a]/**")).toBe('character range "z-a" is out of order');
    expect(globError("  ")).toBe("empty pattern");
    expect(globError("a".repeat(MAX_GLOB_LENGTH + 1))).toBe(`longer than ${MAX_GLOB_LENGTH} characters`);
    expect(globError("a".repeat(MAX_GLOB_LENGTH))).toBeNull();
    expect(globError("src/{a,b}/[!x-z]?/**")).toBeNull();
  });

  it("match nothing, and never throw, wherever they come from", () => {
    expect(matchesGlob("src/b/x.ts", "src/[z-a]/*.ts")).toBe(false);
    // A tier rule stored before validation refused it.
    const tiers = compileTierContext({
      tierRules: [
        { pattern: "src/[z-a]/**", tier: "T1_boilerplate" },
        { pattern: "src/**", tier: "T2_glue" },
      ],
      codeowners: "src/[z-a]/ @acme/security\n",
      gitattributes: "src/[z-a]/** linguist-generated\n",
    });
    const input = { path: "src/b/x.ts", binary: false, addedLines: ["const x = 1;"], hasPatch: true };
    expect(classifyTier(input, tiers)).toEqual({ tier: "T2_glue", reason: 'tier rule "src/**"' });
    const owners = compileCodeowners("* @acme/security\nsrc/[z-a]/ @acme/web\n");
    expect(securityOwnerFor("src/b/x.ts", owners)).toEqual({ pattern: "*", owner: "@acme/security" });
    expect(linguistState("src/b/x.ts", compileGitattributes("src/[b-a]/** linguist-generated\n"))).toEqual(
      {},
    );
  });
});

describe("matching costs pattern × path at most", () => {
  it("fuzz: patterns of up to 500 wildcards and sets against paths of up to 4,096 characters", () => {
    const piece = fc.constantFrom("*", "**", "**/", "?", "a", "/", "{a,*}", "[a-z]", "[!/]", "*a*");
    const pattern = fc.array(piece, { minLength: 20, maxLength: 200 }).map((p) => p.join("").slice(0, 500));
    const path = fc
      .record({ unit: fc.constantFrom("a", "a/", "ab/", "aaa/b"), tail: fc.constantFrom("", "c", "/x") })
      .map(({ unit, tail }) => `${unit.repeat(Math.floor((4_096 - tail.length) / unit.length))}${tail}`);
    fc.assert(
      fc.property(pattern, path, (p, q) => {
        const matcher = compileGlob(p);
        expect(matcher).not.toBeNull();
        if (matcher === null) return;
        // The first run also builds the cached automaton.
        const start = performance.now();
        matcher(q);
        expect(performance.now() - start).toBeLessThan(250);
        expect(bestOf(() => matcher(q))).toBeLessThan(25);
      }),
      { numRuns: 30 },
    );
  });

  it("a pattern whose sets of states never repeat still costs at most pattern × path", () => {
    // `*a` then 200 `?`: the state is where the a's were among the last 200 characters.
    const matcher = compileGlob(`*a${"?".repeat(200)}`);
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    const path = Array.from({ length: 4_096 }, () => (random() < 0.5 ? "a" : "b")).join("");
    // It matches when the 201st character from the end is an `a`.
    expect(matcher?.(path)).toBe(path.charAt(path.length - 201) === "a");
    expect(matcher?.(`${path.slice(0, -201)}a${path.slice(-200)}`)).toBe(true);
    expect(bestOf(() => matcher?.(path))).toBeLessThan(100);
  });
});

// A small gitignore-style glob matcher, shared by tier rules, CODEOWNERS and .gitattributes:
//   `*` any characters but `/`; `?` one such character; `**` any number of directories;
//   `{a,b}` alternatives; a leading `/` or a `/` inside anchors the pattern at the repository root,
//   otherwise it matches at any depth; a pattern naming a directory also matches everything under it.

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 10_000;

function translate(glob: string): string {
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
          .map(translate)
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

export function globToRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  let p = pattern.trim();
  const dirOnly = p.endsWith("/");
  if (dirOnly) p = p.slice(0, -1);
  const anchored = p.startsWith("/") || p.includes("/");
  p = p.replace(/^\/+/, "");
  const body = translate(p);
  // Directory patterns match their contents; other patterns the path itself or, if it names a
  // directory, anything below it.
  const re = new RegExp(`^${anchored ? "" : "(?:.*/)?"}${body}${dirOnly ? "/.*" : "(?:/.*)?"}$`);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, re);
  return re;
}

export function matchesGlob(path: string, pattern: string): boolean {
  return globToRegExp(pattern).test(path);
}

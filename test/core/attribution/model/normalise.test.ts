import { describe, expect, it } from "vitest";
import { extractFeatures } from "../../../../src/core/attribution/model/features.ts";
import { identifierWords, normaliseAddedLines } from "../../../../src/core/attribution/model/normalise.ts";

// What a formatter may change (layout) must not reach the model; what an author chose (words,
// names, comments, structure) must.

const original = [
  "export async function fetchUserOrders(userId, limit) {",
  "    // TODO: handle pagination",
  "    const res = await api.get('/users/' + userId + '/orders', {limit: limit})",
  "    if (!res.ok) return []",
  "",
  "    return res.data.map(o => o.id)   ",
  "}",
];

// The same code after Prettier: 2-space indent, double quotes, semicolons, spacing, wrapped
// arguments with a trailing comma, parenthesised arrow parameter, blank line removed.
const prettier = [
  "export async function fetchUserOrders(userId, limit) {",
  "  // TODO: handle pagination",
  "  const res = await api.get(",
  '    "/users/" + userId + "/orders",',
  "    { limit: limit },",
  "  );",
  "  if (!res.ok) return [];",
  "  return res.data.map((o) => o.id);",
  "}",
];

describe("normaliseAddedLines", () => {
  it("gives identical tokens, comments and statements before and after a formatter run", () => {
    const a = normaliseAddedLines(original, "src/orders.ts");
    const b = normaliseAddedLines(prettier, "src/orders.ts");
    expect(b).toEqual(a);
    expect(extractFeatures(prettier, "src/orders.ts")).toEqual(extractFeatures(original, "src/orders.ts"));
  });

  it("keeps what the author wrote: identifiers as word pieces, literals as placeholders, comments apart", () => {
    const code = normaliseAddedLines(original, "src/orders.ts");
    expect(code.tokens.slice(0, 6)).toEqual([
      "export",
      "async",
      "function",
      "fetch_user_orders",
      "user_id",
      "limit",
    ]);
    expect(code.tokens).toContain("STR");
    expect(code.tokens).not.toContain(";");
    expect(code.comments).toEqual([["todo", "handle", "pagination"]]);
    expect(code.identifiers).toContain("fetchUserOrders");
  });

  it("reads the same identifier the same whatever its case style", () => {
    expect(identifierWords("getUserName")).toEqual(["get", "user", "name"]);
    expect(identifierWords("get_user_name")).toEqual(["get", "user", "name"]);
    expect(identifierWords("parseHTTPResponse2")).toEqual(["parse", "http", "response", "2"]);
    const camel = normaliseAddedLines(["const userName = getName()"], "a.ts").tokens;
    const snake = normaliseAddedLines(["user_name = get_name()"], "a.py").tokens;
    expect(camel.slice(1)).toEqual(snake);
  });

  it("separates block comments, JSDoc and trailing comments from code", () => {
    const code = normaliseAddedLines(
      [
        "/**",
        " * Helper function to format the date.",
        " * @param date - The date",
        " */",
        "x = 1 // set x",
        "y = /* inline */ 2",
      ],
      "a.js",
    );
    expect(code.comments).toEqual([
      ["helper", "function", "to", "format", "the", "date", "param", "date", "the", "date"],
      ["set", "x"],
      ["inline"],
    ]);
    expect(code.tokens).toEqual(["x", "=", "NUM", "y", "=", "NUM"]);
    expect(code.statementLengths).toEqual([3, 3]);
  });

  it("knows hash comments and docstrings in Python, and that #include is C code", () => {
    const py = normaliseAddedLines(
      ["def f(x):", '    """Return the total.', "", '    Args: x"""', "    # why: legacy", "    return x"],
      "m.py",
    );
    expect(py.comments).toEqual([
      ["return", "the", "total", "args", "x"],
      ["why", "legacy"],
    ]);
    expect(py.tokens).toEqual(["def", "f", "x", ":", "return", "x"]);
    const c = normaliseAddedLines(["#include <stdio.h>", "int x = 1; // one"], "a.c");
    expect(c.tokens.slice(0, 2)).toEqual(["#", "include"]);
    expect(c.comments).toEqual([["one"]]);
  });

  it("gives a multi-line call one statement, and separate lines separate statements", () => {
    const wrapped = normaliseAddedLines(["const total = sum(", "  a,", "  b,", ")", "log(total)"], "a.ts");
    expect(wrapped.statementLengths).toEqual([6, 2]);
    const chained = normaliseAddedLines(["const ids = items", "  .filter(isActive)", "  .map(toId)"], "a.ts");
    expect(chained.statementLengths).toEqual([10]);
  });
});

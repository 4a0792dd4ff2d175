import type { Random } from "./random.ts";

// The text of the demo's changes: unified-diff patches whose added lines the engine reads (tiers
// from content, the style model). Code written with an AI assistant leans to a wordier style (doc
// comments, long names, narrated steps); people lean terse. Both draw from every block, so the
// model trained on them has something real but imperfect to learn.

export interface Patch {
  patch: string;
  additions: number;
  deletions: number;
}

export interface ChangeSpec {
  path: string;
  status: "added" | "modified";
  /** About how many lines to add. */
  lines: number;
  /** Chance that each block of code comes out in the assistant's style. */
  aiStyle: number;
}

interface Words {
  /** `mission` */
  e: string;
  /** `Mission` */
  E: string;
  /** `missions` */
  es: string;
  /** A second noun for fields and helpers. */
  f: string;
  F: string;
}

const pascal = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const camel = (parts: readonly string[]) =>
  parts.map((p, i) => (i === 0 ? p.toLowerCase() : pascal(p.toLowerCase()))).join("");
const singular = (w: string) => (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") ? w.slice(0, -1) : w);

const GENERIC_STEMS = new Set(["index", "id", "schema", "errors", "test", "theme", "tokens", "time", "ci"]);
const FIELDS = [
  "status",
  "priority",
  "region",
  "owner",
  "label",
  "deadline",
  "amount",
  "batch",
  "retry",
  "version",
  "score",
  "limit",
];

// Paths repeat across the history: split each once.
const stems = new Map<string, string>();

function stemOf(path: string): string {
  const known = stems.get(path);
  if (known !== undefined) return known;
  const parts = path
    .replace(/\.[a-z]+$/i, "")
    .split(/[/[\]._-]+/)
    .filter((p) => p !== "" && !/^\d+$/.test(p) && !GENERIC_STEMS.has(p.toLowerCase()));
  const stem = parts.slice(-2).filter((p) => !/^(src|test|lib|api|routes|pages|components|db)$/.test(p));
  const base = singular(camel(stem.length > 0 ? stem : ["record"]));
  stems.set(path, base);
  return base;
}

function wordsFor(random: Random, path: string): Words {
  const base = stemOf(path);
  const f = random.pick(FIELDS);
  return { e: base, E: pascal(base), es: `${base}s`, f, F: pascal(f) };
}

type Block = (r: Random, w: Words) => string[];

// Each block in two hands: [terse, wordy].
const TS_BLOCKS: ReadonlyArray<readonly [Block, Block]> = [
  [
    (_, w) => [
      `export async function get${w.E}(id: string) {`,
      `  const [row] = await db.select().from(${w.es}).where(eq(${w.es}.id, id)).limit(1);`,
      `  if (!row) throw new NotFound("${w.e}");`,
      "  return row;",
      "}",
    ],
    (_, w) => [
      "/**",
      ` * Retrieves a ${w.e} by its unique identifier.`,
      ` * @param ${w.e}Id - The unique identifier of the ${w.e} to retrieve`,
      ` * @returns The matching ${w.e} record`,
      ` * @throws NotFoundError when no ${w.e} exists with the given identifier`,
      " */",
      `export async function get${w.E}ById(${w.e}Id: string): Promise<${w.E}Record> {`,
      `  // Look up the ${w.e} in the database`,
      `  const [existing${w.E}] = await db.select().from(${w.es}).where(eq(${w.es}.id, ${w.e}Id)).limit(1);`,
      "",
      `  // Ensure the ${w.e} exists before returning it`,
      `  if (!existing${w.E}) {`,
      `    throw new NotFoundError(\`${w.E} with ID \${${w.e}Id} was not found\`);`,
      "  }",
      "",
      `  return existing${w.E};`,
      "}",
    ],
  ],
  [
    (r) => [
      `export async function withRetry<T>(fn: () => Promise<T>, attempts = ${r.int(2, 5)}): Promise<T> {`,
      "  let last: unknown;",
      "  for (let i = 0; i < attempts; i++) {",
      "    try {",
      "      return await fn();",
      "    } catch (err) {",
      "      last = err;",
      `      await sleep(2 ** i * ${r.pick([50, 100, 250])});`,
      "    }",
      "  }",
      "  throw last;",
      "}",
    ],
    (r) => [
      "/**",
      " * Executes an asynchronous operation with automatic retries and exponential backoff.",
      " * @param operation - The asynchronous operation to execute",
      " * @param maxAttempts - The maximum number of attempts before giving up",
      " * @returns The result of the operation once it succeeds",
      " */",
      `export async function executeWithRetry<T>(operation: () => Promise<T>, maxAttempts = ${r.int(2, 5)}): Promise<T> {`,
      "  let lastError: unknown;",
      "",
      "  for (let attemptNumber = 0; attemptNumber < maxAttempts; attemptNumber++) {",
      "    try {",
      "      // Attempt to execute the operation",
      "      return await operation();",
      "    } catch (error) {",
      "      lastError = error;",
      "      // Wait with exponential backoff before the next attempt",
      `      const backoffDelayMs = Math.pow(2, attemptNumber) * ${r.pick([50, 100, 250])};`,
      "      await sleep(backoffDelayMs);",
      "    }",
      "  }",
      "",
      "  // All attempts failed: surface the last error to the caller",
      "  throw lastError;",
      "}",
    ],
  ],
  [
    (_, w) => [
      `export const ${w.e}Input = z.object({`,
      "  name: z.string().min(1),",
      `  ${w.f}: z.string().optional(),`,
      "  limit: z.number().int().positive().max(500).optional(),",
      "});",
    ],
    (_, w) => [
      `/** Schema for validating incoming ${w.e} creation requests. */`,
      `export const create${w.E}RequestSchema = z.object({`,
      `  // Human-readable name of the ${w.e}`,
      `  name: z.string().min(1, "Name is required"),`,
      `  // Optional ${w.f} to associate with the ${w.e}`,
      `  ${w.f}: z.string().optional(),`,
      "  // Maximum number of results to return",
      `  limit: z.number().int().positive().max(500, "Limit must not exceed 500").optional(),`,
      "});",
      "",
      `/** Type representing a validated ${w.e} creation request. */`,
      `export type Create${w.E}Request = z.infer<typeof create${w.E}RequestSchema>;`,
    ],
  ],
  [
    (_, w) => [
      `app.get("/${w.es}/:id", async (c) => {`,
      `  const ${w.e} = await get${w.E}(c.req.param("id"));`,
      `  return c.json(${w.e});`,
      "});",
    ],
    (_, w) => [
      `// GET /${w.es}/:id - Retrieve a single ${w.e} by its identifier`,
      `app.get("/${w.es}/:id", async (context) => {`,
      `  const ${w.e}Id = context.req.param("id");`,
      "  try {",
      `    const ${w.e} = await get${w.E}ById(${w.e}Id);`,
      `    return context.json(${w.e});`,
      "  } catch (error) {",
      `    console.error(\`Failed to retrieve ${w.e} \${${w.e}Id}:\`, error);`,
      `    return context.json({ error: "Internal server error" }, 500);`,
      "  }",
      "});",
    ],
  ],
  [
    (_, w) => [
      `export const to${w.E}View = (row: ${w.E}Row) => ({`,
      "  id: row.id,",
      "  name: row.name,",
      `  ${w.f}: row.${w.f} ?? null,`,
      "  updatedAt: row.updatedAt.toISOString(),",
      "});",
    ],
    (_, w) => [
      `/** The public representation of a ${w.e}, as returned by the API. */`,
      `export interface ${w.E}View {`,
      `  /** Unique identifier of the ${w.e} */`,
      "  id: string;",
      `  /** Display name of the ${w.e} */`,
      "  name: string;",
      `  /** Current ${w.f} of the ${w.e}, if any */`,
      `  ${w.f}: string | null;`,
      "  /** ISO 8601 timestamp of the last update */",
      "  updatedAt: string;",
      "}",
      "",
      "/**",
      ` * Transforms a database row into the public ${w.e} view.`,
      ` * @param ${w.e}Row - The raw database row`,
      ` * @returns The ${w.e} view object`,
      " */",
      `export function transform${w.E}RowToView(${w.e}Row: ${w.E}Row): ${w.E}View {`,
      "  return {",
      `    id: ${w.e}Row.id,`,
      `    name: ${w.e}Row.name,`,
      `    ${w.f}: ${w.e}Row.${w.f} ?? null,`,
      `    updatedAt: ${w.e}Row.updatedAt.toISOString(),`,
      "  };",
      "}",
    ],
  ],
  [
    (r, w) => [`const MAX_${w.e.toUpperCase()}_BATCH = ${r.pick([100, 250, 500, 1000])};`],
    (r, w) => [
      `/** Maximum number of ${w.es} processed in a single batch to avoid overloading the database. */`,
      `const MAXIMUM_${w.e.toUpperCase()}_BATCH_SIZE = ${r.pick([100, 250, 500, 1000])};`,
    ],
  ],
  [
    (_, w) => [
      `export function group${w.E}sBy${w.F}(items: ${w.E}[]) {`,
      `  const out = new Map<string, ${w.E}[]>();`,
      "  for (const item of items) {",
      `    const key = item.${w.f} ?? "none";`,
      "    out.set(key, [...(out.get(key) ?? []), item]);",
      "  }",
      "  return out;",
      "}",
    ],
    (_, w) => [
      "/**",
      ` * Groups the provided ${w.es} by their ${w.f}.`,
      ` * @param ${w.es}ToGroup - The list of ${w.es} to group`,
      ` * @returns A map from each ${w.f} to the ${w.es} that share it`,
      " */",
      `export function group${w.E}sBy${w.F}(${w.es}ToGroup: ${w.E}[]): Map<string, ${w.E}[]> {`,
      `  const grouped${w.E}s = new Map<string, ${w.E}[]>();`,
      "",
      `  for (const current${w.E} of ${w.es}ToGroup) {`,
      `    // Use a fallback key when the ${w.f} is missing`,
      `    const groupKey = current${w.E}.${w.f} ?? "unassigned";`,
      `    const existingGroup = grouped${w.E}s.get(groupKey) ?? [];`,
      `    existingGroup.push(current${w.E});`,
      `    grouped${w.E}s.set(groupKey, existingGroup);`,
      "  }",
      "",
      `  return grouped${w.E}s;`,
      "}",
    ],
  ],
  [
    (r, w) => [
      `  if (${w.e}.${w.f} === undefined) return null;`,
      `  const ttl = ${r.int(5, 90)} * 60_000;`,
      `  cache.set(${w.e}.id, { value: ${w.e}, expires: Date.now() + ttl });`,
    ],
    (r, w) => [
      `  // Skip caching when the ${w.f} has not been resolved yet`,
      `  if (${w.e}.${w.f} === undefined) {`,
      "    return null;",
      "  }",
      "",
      "  // Cache the result so subsequent lookups avoid a database round trip",
      `  const cacheTimeToLiveMs = ${r.int(5, 90)} * 60 * 1000;`,
      `  ${w.e}Cache.set(${w.e}.id, { value: ${w.e}, expiresAt: Date.now() + cacheTimeToLiveMs });`,
    ],
  ],
];

const TSX_BLOCKS: ReadonlyArray<readonly [Block, Block]> = [
  [
    (_, w) => [
      `export function ${w.E}List({ items }: { items: ${w.E}[] }) {`,
      `  if (items.length === 0) return <p className="empty">No ${w.es} yet.</p>;`,
      "  return (",
      `    <ul className="${w.e}-list">`,
      "      {items.map((item) => (",
      "        <li key={item.id}>{item.name}</li>",
      "      ))}",
      "    </ul>",
      "  );",
      "}",
    ],
    (_, w) => [
      `/** Props for the ${w.E}List component. */`,
      `interface ${w.E}ListProps {`,
      `  /** The ${w.es} to display in the list */`,
      `  ${w.es}: ${w.E}[];`,
      "}",
      "",
      "/**",
      ` * Renders a list of ${w.es}, with an empty state when there are none.`,
      " */",
      `export function ${w.E}List({ ${w.es} }: ${w.E}ListProps) {`,
      `  // Show a helpful message when there are no ${w.es} to display`,
      `  if (${w.es}.length === 0) {`,
      `    return <p className="empty-state">No ${w.es} found. Create one to get started.</p>;`,
      "  }",
      "",
      "  return (",
      `    <ul className="${w.e}-list" aria-label="${w.E} list">`,
      `      {${w.es}.map((${w.e}) => (`,
      `        <li key={${w.e}.id}>{${w.e}.name}</li>`,
      "      ))}",
      "    </ul>",
      "  );",
      "}",
    ],
  ],
  [
    (_, w) => [
      `const [open, setOpen] = useState(false);`,
      `const { data, isLoading } = use${w.E}s();`,
      `if (isLoading) return <Spinner />;`,
    ],
    (_, w) => [
      `  // Track whether the ${w.e} details panel is currently expanded`,
      "  const [isDetailsPanelOpen, setIsDetailsPanelOpen] = useState<boolean>(false);",
      "",
      `  // Fetch the ${w.es} for the current view`,
      `  const { data: ${w.e}Data, isLoading: is${w.E}DataLoading } = use${w.E}s();`,
      "",
      "  // Display a loading indicator while the data is being fetched",
      `  if (is${w.E}DataLoading) {`,
      `    return <LoadingSpinner label="Loading ${w.es}..." />;`,
      "  }",
    ],
  ],
  [
    (_, w) => [
      `<button type="button" className="link" onClick={() => onSelect(${w.e}.id)}>`,
      `  {${w.e}.name}`,
      "</button>",
    ],
    (_, w) => [
      "      {/* Clicking the name selects the item and opens its details */}",
      "      <button",
      `        type="button"`,
      `        className="${w.e}-select-button"`,
      `        aria-label={\`Select \${${w.e}.name}\`}`,
      `        onClick={() => handleSelect${w.E}(${w.e}.id)}`,
      "      >",
      `        {${w.e}.name}`,
      "      </button>",
    ],
  ],
];

const TEST_BLOCKS: ReadonlyArray<readonly [Block, Block]> = [
  [
    (_, w) => [
      `it("returns 404 for an unknown ${w.e}", async () => {`,
      `  const res = await app.request("/${w.es}/nope");`,
      "  expect(res.status).toBe(404);",
      "});",
    ],
    (_, w) => [
      `  it("should return a 404 status when the ${w.e} does not exist", async () => {`,
      `    // Arrange: use an identifier that does not match any ${w.e}`,
      `    const nonExistent${w.E}Id = "non-existent-id";`,
      "",
      "    // Act: request the missing resource",
      `    const response = await app.request(\`/${w.es}/\${nonExistent${w.E}Id}\`);`,
      "",
      "    // Assert: the API responds with a not found status",
      "    expect(response.status).toBe(404);",
      "  });",
    ],
  ],
  [
    (r, w) => [
      `test("groups by ${w.f}", () => {`,
      `  const out = group${w.E}sBy${w.F}([make${w.E}({ ${w.f}: "a" }), make${w.E}({ ${w.f}: "b" })]);`,
      `  expect(out.size).toBe(${r.int(2, 3) - 0});`,
      "});",
    ],
    (_, w) => [
      `describe("group${w.E}sBy${w.F}", () => {`,
      `  it("should group ${w.es} that share the same ${w.f}", () => {`,
      `    // Arrange: create test ${w.es} with different ${w.f} values`,
      `    const test${w.E}s = [create${w.E}Fixture({ ${w.f}: "alpha" }), create${w.E}Fixture({ ${w.f}: "beta" })];`,
      "",
      "    // Act: group the test data",
      `    const grouped${w.E}s = group${w.E}sBy${w.F}(test${w.E}s);`,
      "",
      "    // Assert: each distinct value forms its own group",
      `    expect(grouped${w.E}s.size).toBe(2);`,
      "  });",
      "});",
    ],
  ],
];

const SQL_LINES: readonly Block[] = [
  (_, w) => [`CREATE INDEX IF NOT EXISTS ${w.es}_${w.f}_idx ON ${w.es} (${w.f});`],
  (_, w) => [`ALTER TABLE ${w.es} ADD COLUMN ${w.f}_at timestamptz;`],
  (_, w) => [
    `CREATE TABLE IF NOT EXISTS ${w.e}_events (`,
    "  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),",
    `  ${w.e}_id uuid NOT NULL REFERENCES ${w.es}(id) ON DELETE CASCADE,`,
    "  kind text NOT NULL,",
    "  created_at timestamptz NOT NULL DEFAULT now()",
    ");",
  ],
  (_, w) => [`UPDATE ${w.es} SET ${w.f} = 'unknown' WHERE ${w.f} IS NULL;`],
];

const PROSE: readonly string[] = [
  "Run `npm test` before opening a pull request; CI runs the same command.",
  "Deploys go out from `main` every time the pipeline is green.",
  "The service reads its configuration from environment variables only.",
  "Retries use exponential backoff with full jitter, capped at thirty seconds.",
  "Page the on-call engineer when the error rate stays above 2% for five minutes.",
  "Local development needs Docker for the database and nothing else.",
  "Schema changes ship as forward-only migrations.",
  "Secrets live in the vault; never commit them, even to a branch.",
  "Each endpoint logs one line per request with its request id.",
  "Rollbacks redeploy the previous image; migrations are never rolled back.",
];

function proseBlock(r: Random, ai: boolean): string[] {
  if (ai) {
    return [
      `## ${r.pick(["Overview", "Key Features", "Getting Started", "Best Practices", "Troubleshooting"])}`,
      "",
      ...r.sample(PROSE, 3).map((s, i) => `- **Step ${i + 1}:** ${s}`),
      "",
    ];
  }
  return [...r.sample(PROSE, r.int(1, 2)), ""];
}

function configBlock(r: Random, path: string): string[] {
  if (/package-lock\.json$/.test(path)) {
    const name = r.pick(["zod", "hono", "pino", "pg", "react", "vite", "undici", "semver", "debug", "ms"]);
    return [
      `    "node_modules/${name}": {`,
      `      "version": "${r.int(1, 12)}.${r.int(0, 30)}.${r.int(0, 20)}",`,
      `      "resolved": "https://registry.npmjs.org/${name}/-/${name}-${r.int(1, 12)}.${r.int(0, 30)}.${r.int(0, 20)}.tgz",`,
      `      "integrity": "sha512-${r.alphanumeric(64)}==",`,
      `      "license": "MIT"`,
      "    },",
    ];
  }
  if (/package\.json$/.test(path))
    return [
      `    "${r.pick(["zod", "hono", "pino", "pg", "vitest"])}": "^${r.int(1, 12)}.${r.int(0, 30)}.0",`,
    ];
  if (/\.ya?ml$/.test(path))
    return [
      `      - name: ${r.pick(["Install", "Lint", "Test", "Build image", "Cache dependencies"])}`,
      `        run: ${r.pick(["npm ci", "npm run lint", "npm test", "docker build -t app .", "npm run build"])}`,
    ];
  if (/config\.ts$/.test(path))
    return [
      `    ${r.pick(["content", "safelist", "plugins"])}: [${r.pick(['"./src/**/*.tsx"', '"dark"', "forms()"])}],`,
    ];
  if (/Dockerfile$/.test(path))
    return [r.pick(["RUN npm ci --omit=dev", "USER node", "COPY --chown=node:node . .", "EXPOSE 3000"])];
  if (/\.css$/.test(path))
    return [
      `.${r.pick(["card", "table", "sidebar", "badge", "toolbar"])} {`,
      `  ${r.pick(["padding", "margin", "gap"])}: ${r.int(2, 24)}px;`,
      `  color: var(--${r.pick(["text", "muted", "accent"])});`,
      "}",
    ];
  return [`  "${r.pick(["strict", "noUncheckedIndexedAccess", "skipLibCheck", "incremental"])}": true,`];
}

function blocksFor(path: string): ReadonlyArray<readonly [Block, Block]> | "sql" | "prose" | "config" {
  if (/\.sql$/.test(path)) return "sql";
  if (/\.md$/.test(path)) return "prose";
  if (/\.(json|ya?ml|css)$|Dockerfile$|config\.ts$/.test(path)) return "config";
  if (/(^|\/)(test|__tests__)\/|\.test\.tsx?$/.test(path)) return TEST_BLOCKS;
  if (/\.tsx$/.test(path)) return [...TSX_BLOCKS, ...TS_BLOCKS.slice(4, 6)];
  return TS_BLOCKS;
}

/** Lines of new text for one file, about `spec.lines` of them. */
function addedText(random: Random, spec: ChangeSpec, words: Words): string[] {
  const kind = blocksFor(spec.path);
  const out: string[] = [];
  let guard = 0;
  while (out.length < spec.lines && guard++ < 200) {
    const ai = random.chance(spec.aiStyle);
    if (kind === "sql") out.push(...random.pick(SQL_LINES)(random, words));
    else if (kind === "prose") out.push(...proseBlock(random, ai));
    else if (kind === "config") out.push(...configBlock(random, spec.path));
    else {
      // A change touches part of a function as often as a whole one: keep what fits.
      const block = random.pick(kind)[ai ? 1 : 0](random, words);
      out.push(...block.slice(0, Math.max(2, spec.lines - out.length)));
      if (out.length < spec.lines) out.push("");
    }
  }
  while (out.length > 1 && out[out.length - 1] === "") out.pop();
  return out;
}

const CONTEXT: readonly string[] = [
  "}",
  "",
  "  return result;",
  "export {};",
  "  });",
  "};",
  'import { z } from "zod";',
];
const REMOVED: readonly string[] = [
  "  // TODO: remove once the migration has run",
  "  const result = await load();",
  "  if (!value) return;",
  "  return null;",
  "}",
  "  console.log(value);",
];

/** A unified-diff patch: one hunk for a new file, one to three with context and removals otherwise. */
export function generatePatch(random: Random, spec: ChangeSpec): Patch {
  const words = wordsFor(random, spec.path);
  const added = addedText(random, spec, words);
  if (spec.status === "added") {
    return {
      patch: `@@ -0,0 +1,${added.length} @@\n${added.map((l) => `+${l}`).join("\n")}`,
      additions: added.length,
      deletions: 0,
    };
  }
  const hunks = Math.min(added.length, random.int(1, 3));
  const per = Math.ceil(added.length / hunks);
  const lines: string[] = [];
  let oldLine = random.int(1, 40);
  let newLine = oldLine;
  let deletions = 0;
  for (let h = 0; h < hunks; h++) {
    const chunk = added.slice(h * per, (h + 1) * per);
    if (chunk.length === 0) break;
    const removed = random.chance(0.6) ? random.int(1, Math.min(6, chunk.length)) : 0;
    const before = random.pick(CONTEXT);
    const after = random.pick(CONTEXT);
    const oldCount = 2 + removed;
    const newCount = 2 + chunk.length;
    lines.push(`@@ -${oldLine},${oldCount} +${newLine},${newCount} @@`, ` ${before}`);
    for (let i = 0; i < removed; i++) lines.push(`-${random.pick(REMOVED)}`);
    for (const l of chunk) lines.push(`+${l}`);
    lines.push(` ${after}`);
    deletions += removed;
    const gap = random.int(5, 60);
    oldLine += oldCount + gap;
    newLine += newCount + gap;
  }
  return { patch: lines.join("\n"), additions: added.length, deletions };
}

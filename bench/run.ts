// `npm run bench -- <name...>`: runs bench/<name>.ts's `bench<Name>()` for each name (all of them
// when none is given), prints each result as JSON and writes it to bench/results/<name>.json.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const here = import.meta.dirname;
const NAME = /^[a-z][a-z0-9-]*$/;

const exportName = (name: string) =>
  `bench${name
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("")}`;

function available(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.includes(".test."))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function runOne(name: string): Promise<boolean> {
  if (!NAME.test(name) || !existsSync(join(here, `${name}.ts`))) {
    const list = available();
    process.stderr.write(
      `bench: no benchmark named "${name}" (available: ${list.length > 0 ? list.join(", ") : "none"})\n`,
    );
    return false;
  }
  const module = (await import(join(here, `${name}.ts`))) as Record<string, unknown>;
  const fn = module[exportName(name)];
  if (typeof fn !== "function") {
    process.stderr.write(`bench: bench/${name}.ts does not export ${exportName(name)}()\n`);
    return false;
  }
  process.stderr.write(`bench: running ${name}…\n`);
  const result: unknown = await fn();
  const text = `${JSON.stringify(result, null, 2)}\n`;
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(join(here, "results", `${name}.json`), text);
  process.stdout.write(text);
  return true;
}

const names = process.argv.slice(2).filter((a) => a !== "--");
let ok = true;
for (const name of names.length > 0 ? names : available()) {
  try {
    if (!(await runOne(name))) ok = false;
  } catch (error) {
    process.stderr.write(
      `bench: ${name} failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    ok = false;
  }
}
process.exitCode = ok ? 0 : 1;

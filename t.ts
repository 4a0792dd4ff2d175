import { PGlite } from "@electric-sql/pglite";
import { openDatabase } from "./src/server/db/client.ts";
import { migrateDatabase } from "./src/server/db/migrate.ts";
let t = performance.now();
const h = await openDatabase({ memory: true });
console.log("open", performance.now() - t); t = performance.now();
console.log(await migrateDatabase(h));
console.log("migrate", performance.now() - t); t = performance.now();
const h2 = await openDatabase({ memory: true });
console.log("open2", performance.now() - t); t = performance.now();
if (h.driver.kind === "pglite") {
  const dump = await h.driver.client.dumpDataDir("none");
  console.log("dump", performance.now() - t, dump.size); t = performance.now();
  const c = await PGlite.create({ loadDataDir: dump });
  console.log("load", performance.now() - t); t = performance.now();
  console.log((await c.query("select count(*) from organizations")).rows);
  const c2 = await h.driver.client.clone();
  console.log("clone", performance.now() - t);
}
const p = await openDatabase({ url: "postgresql://postgres@127.0.0.1:5432/test" });
t = performance.now();
console.log(await migrateDatabase(p), performance.now() - t);
await p.close();
t = performance.now();
try { await openDatabase({ url: "postgresql://postgres@127.0.0.1:5439/x" }); } catch (e) { console.log(String(e), performance.now() - t); }

// Worker thread for bench/ingest.ts: GitHub's side of the benchmark. It posts prepared, signed
// deliveries at a fixed concurrency from its own thread, so the load generator does not share
// the server's event loop (in production GitHub is not in our process).
import { randomUUID } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";

export interface PreparedDelivery {
  event: string;
  body: string;
  signature: string;
  commits: number;
}

export interface PostJob {
  url: string;
  concurrency: number;
  items: PreparedDelivery[];
}

export interface PostResult {
  seconds: number;
  latenciesMs: number[];
  statuses: Record<string, number>;
  commitEvents: number;
}

async function postAll(job: PostJob): Promise<PostResult> {
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let commitEvents = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      for (let i = next++; i < job.items.length; i = next++) {
        const d = job.items[i] as PreparedDelivery;
        const started = performance.now();
        const res = await fetch(job.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-event": d.event,
            "x-github-delivery": randomUUID(),
            "x-hub-signature-256": d.signature,
          },
          body: d.body,
        });
        await res.arrayBuffer();
        latenciesMs.push(performance.now() - started);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 202) commitEvents += d.commits;
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, latenciesMs, statuses, commitEvents };
}

if (parentPort) parentPort.postMessage(await postAll(workerData as PostJob));

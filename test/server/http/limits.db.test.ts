import { once } from "node:events";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { serve } from "@hono/node-server";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { MemoryRateLimiter } from "../../../src/server/auth/rate-limit.ts";
import { loadEnv } from "../../../src/server/env.ts";
import { createApp } from "../../../src/server/http/app.ts";
import { SIGN_IN_LIMITS } from "../../../src/server/http/middleware/sign-in-limit.ts";
import { noQueue } from "../../../src/server/jobs/queue.ts";
import { ORIGIN, signUp, unique } from "../../api/helpers.ts";
import { useTestDatabase } from "../../helpers/db.ts";

// Sign-in brute force and body sizes, in-process (app.request, with a made-up socket address where
// one matters) and over a real loopback socket where reading (or not reading) the wire matters.

// Sign-ups and failed sign-ins hash passwords (scrypt): slow on a busy machine.
vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const db = useTestDatabase();
const PASSWORD = "correct horse battery";
const WEBHOOK_SECRET = "limits-test-webhook-secret";
const MiB = 1024 * 1024;

type App = ReturnType<typeof createApp>;

function envWith(extra: Record<string, string> = {}) {
  return loadEnv({
    NODE_ENV: "test",
    BETTER_AUTH_SECRET: "test-secret-test-secret-test-secret-0123456789",
    SENTINEL_PUBLIC_URL: ORIGIN,
    LOG_LEVEL: "silent",
    SENTINEL_DATA_DIR: "/tmp/sentinel-api-tests",
    GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...extra,
  });
}

/** An app whose rate-limit buckets never refill while the test runs: the limiter's clock stands still. */
function appWith(extra: Record<string, string> = {}): App {
  const now = Date.now();
  return createApp({
    handle: db(),
    env: envWith(extra),
    queue: noQueue,
    github: null,
    rateLimiter: new MemoryRateLimiter(() => now),
  });
}

interface Attempt {
  email: string;
  password?: string;
  /** The peer address of the (made-up) socket; none, as with a plain app.request, when absent. */
  socket?: string;
  forwardedFor?: string;
}

/** POST /api/auth/sign-in/email in-process; `socket` stands in for the connection's remote address. */
async function signInAttempt(app: App, attempt: Attempt): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", origin: ORIGIN };
  if (attempt.forwardedFor) headers["x-forwarded-for"] = attempt.forwardedFor;
  const body = JSON.stringify({ email: attempt.email, password: attempt.password ?? "not the password" });
  const env = attempt.socket ? { incoming: { socket: { remoteAddress: attempt.socket } } } : undefined;
  return app.request(`${ORIGIN}/api/auth/sign-in/email`, { method: "POST", headers, body }, env);
}

const nobody = () => `${unique("nobody")}@example.com`;

/** Attempts until the first 429 (or `max`), each built by `make(i)`; returns the statuses and the 429. */
async function untilRefused(app: App, make: (i: number) => Attempt, max = 60) {
  const statuses: number[] = [];
  for (let i = 0; i < max; i++) {
    const res = await signInAttempt(app, make(i));
    statuses.push(res.status);
    if (res.status === 429) return { statuses, refused: res };
  }
  return { statuses, refused: undefined };
}

async function expectRateLimited(res: Response | undefined, limit: string): Promise<void> {
  expect(res?.status).toBe(429);
  expect(Number(res?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect(await res?.json()).toMatchObject({
    code: "rate_limited",
    requestId: expect.any(String),
    details: { limit, retryAfterSeconds: expect.any(Number) },
  });
}

/** The ip_address Better Auth stored on the newest session of `email`. */
async function sessionAddress(email: string): Promise<string | null> {
  const result = await db().db.execute<{ ip_address: string | null }>(
    sql`SELECT s.ip_address FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE u.email = ${email} ORDER BY s.created_at DESC LIMIT 1`,
  );
  return result.rows[0]?.ip_address ?? null;
}

describe("sign-in brute force", () => {
  it("gives no extra attempts for a rotated X-Forwarded-For: the socket address is the client", async () => {
    const app = appWith();
    const socket = "198.51.100.10";
    const { statuses, refused } = await untilRefused(app, (i) => ({
      email: nobody(),
      socket,
      forwardedFor: `203.0.113.${i + 1}`,
    }));
    // Different accounts each time, so only the per-address budget can refuse.
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    expect(statuses.length - 1).toBe(SIGN_IN_LIMITS.signInPerAddressPerMinute);
    await expectRateLimited(refused, "signInPerAddress");
    // Still refused with yet another forwarded address or none at all.
    for (const forwardedFor of ["192.0.2.99", "10.0.0.1, 192.0.2.100", ""]) {
      const again = await signInAttempt(app, { email: nobody(), socket, forwardedFor });
      expect(again.status).toBe(429);
    }
  });

  it("limits guesses at one account across any number of client addresses, whatever the case of the address", async () => {
    const app = appWith();
    const email = `${unique("victim")}@example.com`;
    await signUp(app, email);
    const { statuses, refused } = await untilRefused(app, (i) => ({
      email: i % 2 ? email.toUpperCase() : email,
      socket: `203.0.113.${i + 1}`,
    }));
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    // The sign-up was the account's first attempt.
    expect(statuses.length - 1).toBe(SIGN_IN_LIMITS.perAccountPerMinute - 1);
    await expectRateLimited(refused, "signInPerAccount");
    // Every further guess at the account is refused before the password is looked at.
    const right = await signInAttempt(app, { email, password: PASSWORD, socket: "192.0.2.200" });
    expect(right.status).toBe(429);
  });

  it("lets an attacker address exhaust only its own budget: another address signs in to another account", async () => {
    const app = appWith();
    const email = `${unique("bystander")}@example.com`;
    await signUp(app, email);
    const attacker = await untilRefused(app, () => ({ email: nobody(), socket: "198.51.100.66" }));
    await expectRateLimited(attacker.refused, "signInPerAddress");
    const other = await signInAttempt(app, { email, password: PASSWORD, socket: "192.0.2.7" });
    expect(other.status).toBe(200);
    expect(await sessionAddress(email)).toBe("192.0.2.7");
  });

  it("treats requests without a socket address as one client, whatever they forward", async () => {
    const app = appWith();
    const { refused } = await untilRefused(app, (i) => ({ email: nobody(), forwardedFor: `203.0.113.${i}` }));
    await expectRateLimited(refused, "signInPerAddress");
  });

  it("honours X-Forwarded-For behind a hop count of trusted proxies: the address the last proxy saw", async () => {
    const app = appWith({ SENTINEL_TRUSTED_PROXIES: "1" });
    const email = `${unique("proxied")}@example.com`;
    await signUp(app, email);
    // The proxy appends the address it saw; whatever the client put to its left is ignored.
    const ok = await signInAttempt(app, {
      email,
      password: PASSWORD,
      socket: "10.0.0.2",
      forwardedFor: "6.6.6.6, 198.51.100.23",
    });
    expect(ok.status).toBe(200);
    expect(await sessionAddress(email)).toBe("198.51.100.23");
    // Rotating the spoofable left part gives that client no extra attempts…
    const { refused } = await untilRefused(app, (i) => ({
      email: nobody(),
      socket: "10.0.0.2",
      forwardedFor: `192.0.2.${i + 1}, 198.51.100.24`,
    }));
    await expectRateLimited(refused, "signInPerAddress");
    // …and another client behind the same proxy keeps its own.
    const other = await signInAttempt(app, {
      email: nobody(),
      socket: "10.0.0.2",
      forwardedFor: "198.51.100.25",
    });
    expect(other.status).toBe(401);
  });

  it("honours X-Forwarded-For only from the trusted CIDR ranges, skipping every trusted hop", async () => {
    const app = appWith({ SENTINEL_TRUSTED_PROXIES: "10.0.0.0/8, 172.16.0.1" });
    const viaProxies = `${unique("chain")}@example.com`;
    await signUp(app, viaProxies);
    const chained = await signInAttempt(app, {
      email: viaProxies,
      password: PASSWORD,
      socket: "10.1.2.3",
      forwardedFor: "6.6.6.6, 198.51.100.31, 172.16.0.1, 10.9.9.9",
    });
    expect(chained.status).toBe(200);
    expect(await sessionAddress(viaProxies)).toBe("198.51.100.31");
    // From an address that is not a trusted proxy, the header is the client's own claim: ignored.
    const direct = `${unique("direct")}@example.com`;
    await signUp(app, direct);
    const untrusted = await signInAttempt(app, {
      email: direct,
      password: PASSWORD,
      socket: "203.0.113.50",
      forwardedFor: "198.51.100.32",
    });
    expect(untrusted.status).toBe(200);
    expect(await sessionAddress(direct)).toBe("203.0.113.50");
  });
});

interface Served {
  port: number;
  /** Bytes the server has read from every connection so far. */
  bytesRead(): number;
  close(): Promise<void>;
}

/** The app on a loopback port, counting what it reads off the wire. */
async function listen(app: App): Promise<Served> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => sockets.add(socket));
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    bytesRead: () => [...sockets].reduce((sum, s) => sum + s.bytesRead, 0),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Bytes of the body handed to the socket before the answer came. */
  written: number;
}

/**
 * POSTs `size` bytes of JSON-ish filler with node's client, declared (Content-Length) or chunked,
 * writing only as fast as the connection takes it and stopping at the answer.
 */
function post(
  port: number,
  path: string,
  options: { size: number; declare: boolean; headers?: Record<string, string>; localAddress?: string },
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      path,
      method: "POST",
      agent: false,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      headers: {
        "content-type": "application/json",
        origin: ORIGIN,
        ...options.headers,
        ...(options.declare ? { "content-length": String(options.size) } : {}),
      },
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let written = 0;
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const at = written;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, written: at });
        req.destroy();
      });
      res.on("error", reject);
    });
    // Once the server has answered and closed, writing the rest fails: expected.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && written < options.size) {
        const n = Math.min(chunk.length, options.size - written);
        written += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once("drain", pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe("body sizes", () => {
  it("refuses a 30 MB sign-in body with 413 without reading it, declared or chunked", async () => {
    const served = await listen(appWith());
    try {
      for (const declare of [true, false]) {
        const before = served.bytesRead();
        const res = await post(served.port, "/api/auth/sign-in/email", { size: 30 * MiB, declare });
        expect(res.status, res.body).toBe(413);
        expect(JSON.parse(res.body)).toMatchObject({
          code: "payload_too_large",
          requestId: expect.any(String),
          details: { limitBytes: 64 * 1024 },
        });
        expect(res.headers.connection).toBe("close");
        // The server read the headers and at most a little past the 64 KiB cap, not 30 MB.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(served.bytesRead() - before, declare ? "declared" : "chunked").toBeLessThan(MiB);
      }
    } finally {
      await served.close();
    }
  });

  it("refuses a chunked sign-in body past the cap in-process, pulling little more than the cap", async () => {
    const app = appWith();
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 30 * MiB) return controller.close();
        pulled += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
      },
    });
    const res = await app.request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "payload_too_large" });
    expect(pulled).toBeLessThan(MiB);
  });

  it("refuses an oversized /api/v1 body with 413 before reading it, even unauthenticated", async () => {
    const served = await listen(appWith());
    try {
      const before = served.bytesRead();
      const res = await post(served.port, "/api/v1/organizations", { size: 30 * MiB, declare: true });
      expect(res.status, res.body).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ code: "payload_too_large", details: { limitBytes: MiB } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(served.bytesRead() - before).toBeLessThan(MiB);
    } finally {
      await served.close();
    }
  });

  it("buffers a bounded number of webhook bodies at once: the rest get 503 with Retry-After", async () => {
    const served = await listen(appWith());
    const held: http.ClientRequest[] = [];
    try {
      // Deliveries declaring GitHub's maximum, sending a first byte and then nothing more.
      for (let i = 0; i < 4; i++) {
        const req = http.request({
          host: "127.0.0.1",
          port: served.port,
          path: "/api/webhooks/github",
          method: "POST",
          agent: false,
          headers: { "content-type": "application/json", "content-length": String(25 * MiB) },
        });
        req.on("error", () => {});
        req.write("{");
        held.push(req);
      }
      const probe = () =>
        post(served.port, "/api/webhooks/github", {
          size: 2,
          declare: true,
          headers: {
            "x-github-event": "ping",
            "x-github-delivery": unique("d"),
            "x-hub-signature-256": "sha256=00",
          },
        });
      const refused = await eventually(probe, (r) => r.status === 503);
      expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
      expect(JSON.parse(refused.body)).toMatchObject({ code: "unavailable", requestId: expect.any(String) });
      // PagerDuty's bodies come out of the same budget.
      const pagerduty = await post(served.port, "/api/webhooks/pagerduty/acme", { size: 2, declare: true });
      expect(pagerduty.status).toBe(503);
      // Once the held bodies go away, their room is given back.
      for (const req of held) req.destroy();
      const after = await eventually(probe, (r) => r.status !== 503);
      expect(after.status).toBe(401);
    } finally {
      for (const req of held) req.destroy();
      await served.close();
    }
  });
});

/** Calls `make` until `done` holds of its answer (10 s at most), and returns that answer. */
async function eventually<T>(make: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await make();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import type { MiddlewareHandler } from "hono";
import type { TrustedProxies } from "../env.ts";
import type { AppBindings } from "./context.ts";

// The one place the client's address is worked out. The socket's peer is the client unless
// SENTINEL_TRUSTED_PROXIES says that peer is a proxy: X-Forwarded-For is then read from the right
// (each proxy appends the address it saw), skipping trusted hops. Anything to the left of the
// first untrusted hop was written by the client and is never believed.

/**
 * The address of a request that came without a socket (`app.request` in tests, a runtime that does
 * not expose one): all such requests count as one client, so they share their rate limits.
 */
export const UNKNOWN_ADDRESS = "unknown";

/** `(socket peer, X-Forwarded-For) → client address`, for the configured trust. */
export type AddressResolver = (peer: string | undefined, forwardedFor: string | undefined) => string;

export function addressResolver(trusted: TrustedProxies): AddressResolver {
  if (trusted.kind === "none") return (peer) => normalizeAddress(peer) ?? UNKNOWN_ADDRESS;
  if (trusted.kind === "hops") {
    // Express's `trust proxy = n`: the peer is the first hop, then the header from the right.
    return (peer, forwardedFor) => {
      const chain = [...forwardedList(forwardedFor), normalizeAddress(peer) ?? UNKNOWN_ADDRESS];
      let at = Math.max(0, chain.length - 1 - trusted.hops);
      // A garbled entry cannot be the client: take the nearest hop a trusted proxy wrote.
      while (at < chain.length - 1 && normalizeAddress(chain[at]) === undefined) at++;
      return chain[at] ?? UNKNOWN_ADDRESS;
    };
  }
  const proxies = new BlockList();
  for (const range of trusted.ranges) proxies.addSubnet(range.address, range.prefix, range.family);
  const isProxy = (address: string) => {
    const version = isIP(address);
    return version !== 0 && proxies.check(address, version === 4 ? "ipv4" : "ipv6");
  };
  return (peer, forwardedFor) => {
    const chain = [...forwardedList(forwardedFor), normalizeAddress(peer) ?? UNKNOWN_ADDRESS];
    let at = chain.length - 1;
    while (at > 0 && isProxy(chain[at] ?? "")) at--;
    const client = chain[at] ?? UNKNOWN_ADDRESS;
    // Garbage where the client should be: the last trusted proxy is the best we know.
    return normalizeAddress(client) ?? chain[at + 1] ?? UNKNOWN_ADDRESS;
  };
}

/** Sets `clientAddress` on every request, from the Node socket and, where trusted, X-Forwarded-For. */
export function clientAddress(trusted: TrustedProxies): MiddlewareHandler<AppBindings> {
  const resolve = addressResolver(trusted);
  return async (c, next) => {
    c.set("clientAddress", resolve(socketPeer(c.env), c.req.header("x-forwarded-for")));
    await next();
  };
}

/** The remote address of @hono/node-server's socket (what `getConnInfo` reads), if there is one. */
function socketPeer(env: unknown): string | undefined {
  const bindings = env as
    | { incoming?: Pick<IncomingMessage, "socket">; server?: { incoming?: Pick<IncomingMessage, "socket"> } }
    | undefined;
  return (bindings?.server?.incoming ?? bindings?.incoming)?.socket?.remoteAddress;
}

/** X-Forwarded-For's entries, normalized, left to right; garbled ones kept (as written) in place. */
function forwardedList(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => normalizeAddress(entry) ?? entry);
}

/**
 * An address in one spelling: IPv4-mapped IPv6 as IPv4, IPv6 lower-case, a port or brackets some
 * proxies add removed. Undefined for anything that is not an address.
 */
export function normalizeAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let address = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) address = mapped[1];
  const version = isIP(address);
  if (version === 4) return address;
  if (version === 6) return address.toLowerCase();
  return undefined;
}

/**
 * The rate-limit identity of an address: IPv6 by its /64, since one subscriber is usually given a
 * whole /64 and could otherwise rotate through it; IPv4 (and `unknown`) as it is.
 */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  return `${expandIpv6(address).slice(0, 4).join(":")}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = "", tail] = address.split("::");
  const groups = (part: string) =>
    part
      .split(":")
      .filter(Boolean)
      .flatMap((group) => {
        if (!group.includes(".")) return [group];
        const [a = 0, b = 0, c = 0, d = 0] = group.split(".").map(Number);
        return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
      });
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const middle = Array.from({ length: 8 - left.length - right.length }, () => "0");
  return [...left, ...middle, ...right].map((group) => group.padStart(4, "0"));
}

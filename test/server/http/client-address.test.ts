import { describe, expect, it } from "vitest";
import { loadEnv } from "../../../src/server/env.ts";
import {
  addressKey,
  addressResolver,
  normalizeAddress,
  UNKNOWN_ADDRESS,
} from "../../../src/server/http/client-address.ts";

const resolverFor = (value?: string) =>
  addressResolver(
    loadEnv(value === undefined ? {} : { SENTINEL_TRUSTED_PROXIES: value }).SENTINEL_TRUSTED_PROXIES,
  );

describe("the client address", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    const resolve = resolverFor();
    expect(resolve("203.0.113.9", "198.51.100.1")).toBe("203.0.113.9");
    expect(resolve("::ffff:203.0.113.9", undefined)).toBe("203.0.113.9");
    expect(resolve("2001:DB8::1", "198.51.100.1")).toBe("2001:db8::1");
    expect(resolve(undefined, "198.51.100.1")).toBe(UNKNOWN_ADDRESS);
  });

  it("is the Nth address from the right behind N trusted hops, never further left than the header goes", () => {
    const one = resolverFor("1");
    expect(one("10.0.0.2", "6.6.6.6, 198.51.100.23")).toBe("198.51.100.23");
    expect(one("10.0.0.2", undefined)).toBe("10.0.0.2");
    const two = resolverFor("2");
    expect(two("10.0.0.2", "6.6.6.6, 198.51.100.23, 10.0.0.9")).toBe("198.51.100.23");
    expect(two("10.0.0.2", "198.51.100.23")).toBe("198.51.100.23");
    // A garbled entry where the client should be: the nearest hop a proxy wrote instead.
    expect(one("10.0.0.2", "6.6.6.6, not-an-address")).toBe("10.0.0.2");
    // Ports and brackets that some proxies add are not part of the address.
    expect(one("10.0.0.2", "198.51.100.23:51234")).toBe("198.51.100.23");
    expect(one("10.0.0.2", "[2001:db8::7]:443")).toBe("2001:db8::7");
  });

  it("is the right-most address outside the trusted ranges, and the header counts only from a trusted peer", () => {
    const resolve = resolverFor("10.0.0.0/8,2001:db8:ffff::/48");
    expect(resolve("10.1.2.3", "6.6.6.6, 198.51.100.31, 10.9.9.9")).toBe("198.51.100.31");
    expect(resolve("2001:db8:ffff::1", "198.51.100.31")).toBe("198.51.100.31");
    expect(resolve("203.0.113.50", "198.51.100.32")).toBe("203.0.113.50");
    expect(resolve(undefined, "198.51.100.32")).toBe(UNKNOWN_ADDRESS);
    // Every hop trusted: the left-most is the best there is.
    expect(resolve("10.1.2.3", "10.2.2.2")).toBe("10.2.2.2");
    expect(resolve("10.1.2.3", "junk, 10.2.2.2")).toBe("10.2.2.2");
  });

  it("keys IPv6 by its /64 for rate limits, and everything else as it is", () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:0db8:0001:0002::/64");
    expect(addressKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:0db8:0001:0002::/64");
    expect(addressKey("::1")).toBe("0000:0000:0000:0000::/64");
    expect(addressKey("64:ff9b::192.0.2.1")).toBe("0064:ff9b:0000:0000::/64");
    expect(addressKey("198.51.100.7")).toBe("198.51.100.7");
    expect(addressKey(UNKNOWN_ADDRESS)).toBe(UNKNOWN_ADDRESS);
    expect(normalizeAddress("nonsense")).toBeUndefined();
  });

  it("refuses a SENTINEL_TRUSTED_PROXIES that is neither a hop count nor addresses", () => {
    expect(() => resolverFor("10.0.0.0/33")).toThrow(/SENTINEL_TRUSTED_PROXIES/);
    expect(() => resolverFor("proxy.internal")).toThrow(/SENTINEL_TRUSTED_PROXIES/);
    expect(() => resolverFor("99")).toThrow(/SENTINEL_TRUSTED_PROXIES/);
  });
});

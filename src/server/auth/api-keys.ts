import { createHash, randomInt } from "node:crypto";
import { crc32 } from "node:zlib";

// API keys look like `snt_live_<32 base62 chars><6 base62 chars of CRC32>`. The fixed prefix lets
// secret scanners recognise a leaked key; the checksum lets us reject a mistyped or made-up key
// without touching the database. Only the SHA-256 of the whole key is stored.

export const API_KEY_PREFIX = "snt_live_";
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}}$`);
/** Characters of the key shown in lists: the prefix and the first four secret characters. */
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 4;

function toBase62(value: number, width: number): string {
  let out = "";
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

function checksum(body: string): string {
  return toBase62(crc32(body), CHECKSUM_LENGTH);
}

export interface GeneratedApiKey {
  /** The full key: shown once, never stored. */
  key: string;
  keyHash: string;
  displayPrefix: string;
}

export function generateApiKey(): GeneratedApiKey {
  let secret = "";
  for (let i = 0; i < SECRET_LENGTH; i++) secret += BASE62[randomInt(62)];
  const body = API_KEY_PREFIX + secret;
  const key = body + checksum(body);
  return { key, keyHash: hashApiKey(key), displayPrefix: key.slice(0, DISPLAY_LENGTH) };
}

/** True when the key has our shape and its checksum matches: a pure check, no database. */
export function isWellFormedApiKey(candidate: string): boolean {
  if (!KEY_PATTERN.test(candidate)) return false;
  const body = candidate.slice(0, -CHECKSUM_LENGTH);
  return checksum(body) === candidate.slice(-CHECKSUM_LENGTH);
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Whether a stored key may still be used at `now`. */
export function apiKeyState(
  key: { revokedAt: Date | null; expiresAt: Date | null },
  now = new Date(),
): "active" | "revoked" | "expired" {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

import { createHash } from "node:crypto";
import { AppError } from "../../core/errors.ts";
import type { Delivery } from "./route-delivery.ts";
import { verifySignature } from "./verify.ts";

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_DELIVERY_BYTES = 25 * 1024 * 1024;

const EVENT_NAME = /^[a-z0-9_]{1,64}$/;
const DELIVERY_ID = /^[A-Za-z0-9._-]{1,100}$/;
const CONTENT_TYPES = new Set(["application/json", "application/x-www-form-urlencoded"]);

export interface RawRequest {
  header(name: string): string | undefined;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * Turns a request into a verified delivery, or throws the AppError its status comes from. The
 * signature is checked over the raw bytes before anything is parsed, and the body is counted
 * while it is read so an oversized one is never buffered whole. The bytes' SHA-256 travels with
 * the delivery: the delivery id is not signed, so the body is what identifies a replay.
 */
export async function readDelivery(req: RawRequest, secrets: readonly string[]): Promise<Delivery> {
  const declared = req.header("content-length");
  if (declared !== undefined && Number(declared) > MAX_DELIVERY_BYTES) throw tooLarge();
  const contentType = (req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!CONTENT_TYPES.has(contentType)) {
    throw new AppError(
      "unsupported_media_type",
      "send application/json or application/x-www-form-urlencoded",
      {
        contentType: contentType || null,
      },
    );
  }
  const body = await readCapped(req.body, MAX_DELIVERY_BYTES);
  if (secrets.length === 0)
    throw new AppError("unavailable", "webhook secret is not configured (GITHUB_WEBHOOK_SECRET)");
  if (!verifySignature(secrets, body, req.header("x-hub-signature-256"))) {
    throw new AppError("unauthorized", "missing or invalid X-Hub-Signature-256");
  }
  const event = req.header("x-github-event");
  const deliveryId = req.header("x-github-delivery");
  if (!event || !EVENT_NAME.test(event))
    throw new AppError("bad_request", "missing or invalid X-GitHub-Event header");
  if (!deliveryId || !DELIVERY_ID.test(deliveryId)) {
    throw new AppError("bad_request", "missing or invalid X-GitHub-Delivery header");
  }
  return {
    deliveryId,
    event,
    payload: parsePayload(body, contentType),
    bodySha256: createHash("sha256").update(body).digest("hex"),
  };
}

function parsePayload(body: Uint8Array, contentType: string): Record<string, unknown> {
  let text = new TextDecoder("utf-8", { fatal: false }).decode(body);
  if (contentType === "application/x-www-form-urlencoded") {
    const payload = new URLSearchParams(text).get("payload");
    if (payload === null) throw new AppError("bad_request", "form body has no payload field");
    text = payload;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AppError("bad_request", "payload must be a JSON object");
  }
  return value as Record<string, unknown>;
}

async function readCapped(stream: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

const tooLarge = () =>
  new AppError("payload_too_large", "webhook bodies are limited to 25 MB", {
    limitBytes: MAX_DELIVERY_BYTES,
  });

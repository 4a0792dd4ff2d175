// The one way the dashboard talks to the server: JSON over fetch, the session cookie, the
// organization named in `X-Sentinel-Org`, and every failure turned into an ApiError that carries the
// server's {code, message, requestId}.

export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    requestId: string | null,
    details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.details = details;
  }
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Organization slug sent as X-Sentinel-Org; null for calls that are not about one organization. */
  org: string | null;
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

export function withQuery(path: string, query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Calls `/api/v1{path}` and returns its JSON body; throws ApiError on any non-2xx answer. */
export function apiRequest<T>(path: string, options: RequestOptions): Promise<T> {
  return rawRequest<T>(`/api/v1${path}`, options);
}

export async function rawRequest<T>(url: string, options: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.org) headers["x-sentinel-org"] = options.org;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(withQuery(url, options.query), {
      method: options.method ?? "GET",
      headers,
      credentials: "same-origin",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(
      0,
      "network",
      "Cannot reach the Sentinel server. Check your connection and retry.",
      null,
    );
  }
  const text = await response.text();
  const body: unknown = text ? parseJson(text) : null;
  if (!response.ok) throw toApiError(response, body);
  return body as T;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toApiError(response: Response, body: unknown): ApiError {
  const requestId = response.headers.get("x-request-id");
  if (body && typeof body === "object") {
    const b = body as { code?: unknown; message?: unknown; requestId?: unknown; details?: unknown };
    const message = typeof b.message === "string" ? b.message : response.statusText || "request failed";
    const code = typeof b.code === "string" ? b.code : `http_${response.status}`;
    const id = typeof b.requestId === "string" ? b.requestId : requestId;
    const details =
      b.details && typeof b.details === "object" ? (b.details as Record<string, unknown>) : undefined;
    return new ApiError(response.status, code, message, id, details);
  }
  return new ApiError(
    response.status,
    `http_${response.status}`,
    `The server answered ${response.status}.`,
    requestId,
  );
}

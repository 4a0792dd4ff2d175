import { rawRequest } from "./client.ts";

// Better Auth's email-and-password endpoints, called with plain fetch: its client library would add
// weight to the first page for three calls.

export function signIn(email: string, password: string): Promise<unknown> {
  return rawRequest("/api/auth/sign-in/email", { method: "POST", org: null, body: { email, password } });
}

export function signUp(name: string, email: string, password: string): Promise<unknown> {
  return rawRequest("/api/auth/sign-up/email", {
    method: "POST",
    org: null,
    body: { name, email, password },
  });
}

export function signOut(): Promise<unknown> {
  return rawRequest("/api/auth/sign-out", { method: "POST", org: null, body: {} });
}

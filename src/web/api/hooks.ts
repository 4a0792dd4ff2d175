import {
  queryOptions,
  type UseQueryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useParams } from "react-router";
import { type ApiError, apiRequest, type QueryValue, rawRequest } from "./client.ts";
import type { DashboardConfig, Me, Member, OrganizationSummary } from "./types.ts";

/** The organization slug from the URL (/o/:org/...). */
export function useOrgSlug(): string {
  return useParams().org ?? "";
}

/** Who is signed in and their organizations; the shell waits for it before showing a page. */
export const meQuery = queryOptions<Me, ApiError>({
  queryKey: ["me"],
  queryFn: ({ signal }) => apiRequest<Me>("/me", { org: null, signal }),
  staleTime: 60_000,
  retry: false,
});

export function useMe() {
  return useQuery(meQuery);
}

export function useDashboardConfig() {
  return useQuery<DashboardConfig, ApiError>({
    queryKey: ["dashboard-config"],
    queryFn: ({ signal }) => rawRequest<DashboardConfig>("/api/dashboard/config", { org: null, signal }),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The signed-in user's membership in the organization of the URL, if any. */
export function useCurrentOrg(): OrganizationSummary | undefined {
  const slug = useOrgSlug();
  return useMe().data?.organizations.find((o) => o.slug === slug);
}

export type Role = OrganizationSummary["role"];
const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Whether the current user's role in this organization is at least `role`. */
export function useHasRole(role: Role): boolean {
  const org = useCurrentOrg();
  return org ? RANK[org.role] >= RANK[role] : false;
}

/** GET /api/v1{path} for the organization in the URL, cached per (org, path, query). */
export function useApiQuery<T>(
  path: string,
  query?: Record<string, QueryValue>,
  options: Omit<UseQueryOptions<T, ApiError>, "queryKey" | "queryFn"> = {},
) {
  const org = useOrgSlug();
  return useQuery<T, ApiError>({
    queryKey: [org, path, query ?? {}],
    queryFn: ({ signal }) => apiRequest<T>(path, { org, query, signal }),
    ...options,
  });
}

/** A write to /api/v1; on success every cached read of this organization is refreshed. */
export function useApiMutation<TBody, TResult = unknown>(method: "POST" | "PATCH" | "DELETE", path: string) {
  const org = useOrgSlug();
  const client = useQueryClient();
  return useMutation<TResult, ApiError, TBody>({
    mutationFn: (body) =>
      apiRequest<TResult>(path, { org, method, body: method === "DELETE" ? undefined : body }),
    onSuccess: () => client.invalidateQueries({ queryKey: [org] }),
  });
}

/** Turns an actor as the API records it ("user:<id>") into the member's name when known. */
export function useActorName(): (actor: string) => string {
  const members = useApiQuery<{ items: Member[] }>("/members");
  return (actor) => {
    const id = actor.startsWith("user:") ? actor.slice(5) : actor;
    return members.data?.items.find((m) => m.userId === id)?.name ?? actor;
  };
}

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntdApp } from "antd";
import { useEffect, useState, type ReactNode } from "react";
import { ApiError, onSessionExpired } from "@/api/client";
import { authKeys } from "@/features/auth";
import { BrandingProvider } from "@/features/branding";

/** A 4xx will answer the same the second time; only network and server errors get a retry. */
function retryOnce(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status < 500) return false;
  return failureCount < 1;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: retryOnce,
        staleTime: 10_000,
        refetchOnWindowFocus: false,
      },
    },
  });
}

/**
 * An API call answered 401: the session expired or was ended elsewhere.
 * Forgetting the user makes `RequireAuth` send the browser to
 * `/login?next=<here>`; the login page then empties the rest of the cache.
 */
function useSignOutOnSessionExpiry(queryClient: QueryClient) {
  useEffect(
    () =>
      onSessionExpired(() => {
        void queryClient.cancelQueries({ queryKey: authKeys.me() });
        queryClient.setQueryData(authKeys.me(), null);
      }),
    [queryClient],
  );
}

type AppProviderProps = {
  children: ReactNode;
  /** Injected by tests; the app creates its own. */
  queryClient?: QueryClient;
};

export function AppProvider({ children, queryClient }: AppProviderProps) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  useSignOutOnSessionExpiry(client);
  return (
    <QueryClientProvider client={client}>
      {/* The brand (GET /api/branding) sets antd's theme, the title and the favicon. */}
      <BrandingProvider>
        <AntdApp>{children}</AntdApp>
      </BrandingProvider>
    </QueryClientProvider>
  );
}

import { Alert, Button, Result, Skeleton } from "antd";
import type { CSSProperties, ReactNode } from "react";
import { ApiError } from "@/api/client";
import { errorMessage } from "@/api/errors";

/** What a page needs of the query for its one resource (a TanStack Query result fits). */
export type ResourceQuery<T> = { data: T | undefined; error: unknown; isError: boolean };

type ResourcePageProps<T> = {
  query: ResourceQuery<T>;
  /** Above every state (a breadcrumb). */
  header?: ReactNode;
  /** While there is nothing to show yet. */
  loading?: ReactNode;
  /** When the resource could not be loaded: `ResourceNotFound`, `LoadFailed` or your own. */
  failure: (error: unknown) => ReactNode;
  /** The page, once the resource is there. */
  children: (data: T) => ReactNode;
};

/**
 * The scaffolding of a page about one resource (a site, a customer, a tariff…):
 * the failure when loading failed (also when a refresh fails), a placeholder
 * while loading, then the page.
 */
export function ResourcePage<T>({
  query,
  header,
  loading = <Skeleton active />,
  failure,
  children,
}: ResourcePageProps<T>) {
  let body: ReactNode;
  if (query.isError) body = failure(query.error);
  else if (query.data === undefined) body = loading;
  else body = children(query.data);
  return (
    <>
      {header}
      {body}
    </>
  );
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

type ResourceNotFoundProps = {
  error: unknown;
  testId: string;
  /** When the API answered 404. */
  notFound: { title: string; detail: ReactNode };
  /** When it failed otherwise (the detail is the error's message). */
  errorTitle: string;
  /** The way back (a link). */
  back: ReactNode;
};

/** A result page: "… not found" for a 404, "… could not be loaded" for anything else. */
export function ResourceNotFound({
  error,
  testId,
  notFound,
  errorTitle,
  back,
}: ResourceNotFoundProps) {
  const missing = isNotFound(error);
  return (
    <Result
      data-testid={testId}
      status={missing ? "404" : "error"}
      title={missing ? notFound.title : errorTitle}
      subTitle={missing ? notFound.detail : errorMessage(error)}
      extra={back}
    />
  );
}

type LoadFailedProps = {
  error: unknown;
  title: string;
  testId?: string;
  /** After the error's message (a link back). */
  back?: ReactNode;
  /** Offer a Retry button. */
  retry?: () => void;
  style?: CSSProperties;
};

/** An error alert in the page: what failed, why, and a way back or a retry. */
export function LoadFailed({ error, title, testId, back, retry, style }: LoadFailedProps) {
  return (
    <Alert
      data-testid={testId}
      type="error"
      showIcon
      title={title}
      description={
        back ? (
          <>
            {errorMessage(error)} {back}
          </>
        ) : (
          errorMessage(error)
        )
      }
      action={retry && <Button onClick={retry}>Retry</Button>}
      style={style}
    />
  );
}

type QueryErrorProps = Omit<LoadFailedProps, "error"> & {
  query: Pick<ResourceQuery<unknown>, "error" | "isError">;
};

/** `LoadFailed` when the query of a list or a section failed; nothing otherwise. */
export function QueryError({ query, ...props }: QueryErrorProps) {
  return query.isError ? <LoadFailed error={query.error} {...props} /> : null;
}

/** The API answered with an error status; `code`, `message` and `details` come from its `{error, message, details}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The request never produced an HTTP answer (offline, DNS, connection reset). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network request failed', { cause });
    this.name = 'NetworkError';
  }
}

/** The API answered 2xx with a body this app does not understand (e.g. an HTML page from a misrouted request). */
export class UnexpectedResponseError extends Error {
  constructor(readonly status: number) {
    super(`unexpected response (HTTP ${status})`);
    this.name = 'UnexpectedResponseError';
  }
}

/** A write needed an access token and the person closed the prompt instead of giving one. */
export class TokenPromptCancelled extends Error {
  constructor() {
    super('no access token given');
    this.name = 'TokenPromptCancelled';
  }
}

/** The person-facing sentence for any failure; one table so every page words the same failure the same way. */
export function describeError(error: unknown): string {
  if (error instanceof TokenPromptCancelled) return 'Nothing was changed: changing books needs an access token.';
  if (error instanceof NetworkError) return 'Could not reach the books service. Check your connection and try again.';
  if (error instanceof UnexpectedResponseError)
    return `The books service gave an unexpected answer (HTTP ${error.status}).`;
  if (error instanceof ApiError) {
    switch (error.status) {
      case 403:
        return 'Your access token does not allow changing books (it needs the books:write scope). Sign out and use another token.';
      case 404:
        return 'This book does not exist. It may have been deleted.';
      case 429:
        return 'Too many requests. Wait a moment and try again.';
      default:
        return error.status >= 500
          ? `The books service failed (HTTP ${error.status}). Try again later.`
          : `${error.message} (HTTP ${error.status})`;
    }
  }
  return 'Something went wrong. Try again.';
}

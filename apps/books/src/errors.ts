/** Every error response has this shape. */
export interface ErrorBody {
  error: string;
  message: string;
  details: unknown;
}

/** An error that maps to one HTTP answer. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: this.code, message: this.message, details: this.details };
  }
}

export class DatabaseUnavailableError extends HttpError {
  constructor(cause: unknown) {
    super(503, 'database_unavailable', 'The database is not reachable; retry later.');
    this.cause = cause;
  }
}

/** Error codes for 4xx statuses raised by Fastify itself (parsing, limits, content type). */
export const CODE_FOR_STATUS: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthenticated',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
};

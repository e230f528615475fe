/**
 * Every error status nginx itself can produce, answered with the platform's JSON error shape
 * `{error, message, details}` instead of nginx's HTML pages. Upstream responses pass through untouched
 * (no proxy_intercept_errors): the services' own JSON errors reach the client as they are.
 */
export interface ErrorPage {
  /** Status nginx raises internally. */
  readonly status: number;
  /** Status the client sees (494 is nginx-internal; clients get 431; 501/505 → 400). */
  readonly sentStatus: number;
  readonly error: string;
  readonly message: string;
}

export const errorPages: readonly ErrorPage[] = [
  { status: 400, sentStatus: 400, error: 'bad_request', message: 'The request could not be parsed.' },
  // The same code as the books API's 401 (`unauthenticated`): one vocabulary for one situation across layers.
  { status: 401, sentStatus: 401, error: 'unauthenticated', message: 'A valid bearer token is required.' },
  { status: 403, sentStatus: 403, error: 'forbidden', message: 'The token lacks the required scope.' },
  { status: 404, sentStatus: 404, error: 'not_found', message: 'No such resource.' },
  { status: 405, sentStatus: 405, error: 'method_not_allowed', message: 'This method is not allowed.' },
  { status: 408, sentStatus: 408, error: 'request_timeout', message: 'The request was not received in time.' },
  { status: 411, sentStatus: 411, error: 'length_required', message: 'A Content-Length is required.' },
  { status: 413, sentStatus: 413, error: 'payload_too_large', message: 'The request body is too large.' },
  { status: 414, sentStatus: 414, error: 'uri_too_long', message: 'The request URI is too long.' },
  { status: 416, sentStatus: 416, error: 'range_not_satisfiable', message: 'The requested range is not satisfiable.' },
  {
    status: 429,
    sentStatus: 429,
    error: 'too_many_requests',
    message: 'Rate or connection limit exceeded; retry later.',
  },
  {
    status: 494,
    sentStatus: 431,
    error: 'headers_too_large',
    message: 'A request header or the headers are too large.',
  },
  { status: 495, sentStatus: 400, error: 'bad_certificate', message: 'The client certificate is invalid.' },
  { status: 496, sentStatus: 400, error: 'no_certificate', message: 'A client certificate is required.' },
  { status: 497, sentStatus: 400, error: 'http_to_https', message: 'Plain HTTP was sent to the HTTPS port.' },
  { status: 500, sentStatus: 500, error: 'internal_error', message: 'The gateway failed to handle the request.' },
  // Hostile or malformed input must never count as the platform's fault: nginx's 501 (unknown Transfer-Encoding)
  // and 505 (unsupported HTTP version in the request line) are answered 400, saying what was wrong.
  {
    status: 501,
    sentStatus: 400,
    error: 'unsupported_transfer_encoding',
    message: 'The Transfer-Encoding is not supported; use chunked or Content-Length.',
  },
  { status: 502, sentStatus: 502, error: 'bad_gateway', message: 'The upstream service is unavailable.' },
  { status: 503, sentStatus: 503, error: 'service_unavailable', message: 'The upstream service is unavailable.' },
  { status: 504, sentStatus: 504, error: 'gateway_timeout', message: 'The upstream service did not answer in time.' },
  {
    status: 505,
    sentStatus: 400,
    error: 'unsupported_http_version',
    message: 'The HTTP version in the request line is not supported; use HTTP/1.0 or HTTP/1.1.',
  },
];

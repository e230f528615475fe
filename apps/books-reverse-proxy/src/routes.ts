/**
 * The gateway's route table: the single source of truth for what the gateway exposes.
 * `renderNginxConf` (render.ts) turns it into nginx.conf; the Pulumi program, `npm run dev` and the tests all
 * render from it. To add a service, append one entry (see README.md, "Adding a service").
 */

/** Methods the gateway lets through; anything else is answered 405 by the gateway itself. */
export const allowedMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof allowedMethods)[number];

/** Methods that change state; the ones a route may protect with a bearer token. */
export const writeMethods = ['POST', 'PUT', 'PATCH', 'DELETE'] as const satisfies readonly HttpMethod[];
export type WriteMethod = (typeof writeMethods)[number];

export interface RouteAuth {
  /** Methods that need a valid bearer token; every other method stays public. */
  readonly methods: readonly WriteMethod[];
  /** Scope the token's space-separated `scope` claim must contain (403 otherwise). */
  readonly scope: string;
}

export interface RouteBackend {
  /** Kubernetes Service name (also the DNS label the supervisor resolves in `dns` addressing). */
  readonly service: string;
  readonly port: number;
}

export interface Route {
  /**
   * Identifier: names the nginx upstream, the `route` field of access logs and the `route` label of metrics.
   * Lowercase letters, digits and `_`, starting with a letter.
   */
  readonly name: string;
  /**
   * `/` (catch-all) or `/segment[/segment…]` without a trailing slash. `/books` matches `/books` and `/books/…`
   * (with any query string) but never `/booksXYZ`; the most specific prefix wins.
   */
  readonly pathPrefix: string;
  readonly backend: RouteBackend;
  /** Token requirements, or null for a fully public route. */
  readonly auth: RouteAuth | null;
}

/** The platform's routes: the web app at `/`, the books API at `/books` (writes need `books:write`). */
export const routes: readonly Route[] = [
  {
    name: 'books',
    pathPrefix: '/books',
    backend: { service: 'books-service', port: 5000 },
    auth: { methods: ['POST', 'PUT', 'PATCH', 'DELETE'], scope: 'books:write' },
  },
  {
    name: 'web',
    pathPrefix: '/',
    backend: { service: 'books-react-service', port: 3000 },
    auth: null,
  },
];

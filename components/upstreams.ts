/**
 * The gateway's upstreams as the route table names them: the Service names and ports of books and
 * books-react come from apps/books-reverse-proxy/src/routes.ts, never repeated here.
 */
import { routes, type RouteBackend } from '../apps/books-reverse-proxy/src/routes';

export function routeBackend(routeName: string): RouteBackend {
  const route = routes.find((candidate) => candidate.name === routeName);
  if (!route) throw new Error(`The gateway route table has no route named ${routeName}`);
  return route.backend;
}

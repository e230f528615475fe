import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { guarded } from './database';
import { HttpError } from './errors';
import { refuseOtherMethods } from './http';
import { requireIdentity } from './identity';
import { BookRepository, fullReplacement } from './repository';
import {
  bookBodySchema,
  bookIdParamsSchema,
  bookListSchema,
  bookPatchSchema,
  bookSchema,
  errorSchema,
  listQuerySchema,
  type BookInput,
  type BookPatch,
  type ListQuery,
} from './schemas';

/** What the routes need to know about the service's lifecycle. */
export interface ServiceState {
  /** Migrations (and the opt-in sample load) have completed. */
  schemaReady: boolean;
  shuttingDown: boolean;
}

const errorResponses = {
  '4xx': { ...errorSchema, description: 'The request was refused; `error` says why.' },
  '5xx': { ...errorSchema, description: 'The service could not answer (e.g. database unavailable).' },
};
/** Writes pass the gateway's bearer-token check (scope books:write); the API itself trusts X-Authenticated-User. */
const bearer = [{ bearer: [] }];

export function registerOperationalRoutes(
  app: FastifyInstance,
  pool: Pool,
  state: ServiceState,
  metrics: Registry,
): void {
  // Probes and metrics are for the cluster, not part of the API's published contract.
  const internal = { schema: { hide: true } };
  app.get('/healthz', internal, async () => ({ status: 'ok' }));
  refuseOtherMethods(app, '/healthz', ['GET']);

  app.get('/readyz', internal, async (request, reply) => {
    const databaseUp = await guarded(() => pool.query('SELECT 1')).then(
      () => true,
      (error: unknown) => {
        request.log.warn({ err: error }, 'readiness check: database not answering');
        return false;
      },
    );
    if (databaseUp && state.schemaReady && !state.shuttingDown) return { status: 'ready' };
    return reply.code(503).send({
      error: 'not_ready',
      message: state.shuttingDown
        ? 'Shutting down.'
        : !databaseUp
          ? 'The database is not reachable.'
          : 'Database migrations have not completed yet.',
      details: {
        database: databaseUp ? 'up' : 'down',
        schemaReady: state.schemaReady,
        shuttingDown: state.shuttingDown,
      },
    });
  });
  refuseOtherMethods(app, '/readyz', ['GET']);

  app.get('/metrics', internal, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );
  refuseOtherMethods(app, '/metrics', ['GET']);
}

function notFound(id: string): HttpError {
  return new HttpError(404, 'not_found', `No book with id ${id}.`, { id });
}

function found<T>(value: T | undefined, id: string): T {
  if (value === undefined) throw notFound(id);
  return value;
}

function userOf(request: FastifyRequest): string {
  // requireIdentity ran as onRequest on every write route.
  return request.authenticatedUser as string;
}

export function registerBookRoutes(app: FastifyInstance, pool: Pool, state: ServiceState): void {
  const books = new BookRepository(pool);
  app.decorateRequest('authenticatedUser', null);

  app.register(async (scope) => {
    // Until migrations are done the table may not exist: answer 503 rather than a misleading 500.
    scope.addHook('onRequest', async () => {
      if (!state.schemaReady) {
        throw new HttpError(503, 'not_ready', 'The service is starting: database migrations have not completed yet.');
      }
    });

    scope.get<{ Querystring: ListQuery }>(
      '/books',
      {
        schema: {
          summary: 'List books (paged, sorted, optionally searched with q)',
          querystring: listQuerySchema,
          response: { 200: { ...bookListSchema, description: 'One page of books.' }, ...errorResponses },
        },
      },
      async (request) => {
        const page = await books.list(request.query);
        return { ...page, limit: request.query.limit, offset: request.query.offset };
      },
    );

    scope.post<{ Body: BookInput }>(
      '/books',
      {
        onRequest: requireIdentity,
        schema: {
          summary: 'Add a book',
          security: bearer,
          body: bookBodySchema,
          response: { 201: { ...bookSchema, description: 'The stored book.' }, ...errorResponses },
        },
      },
      async (request, reply) => {
        const book = await books.create(request.body, userOf(request));
        return reply.code(201).header('location', `/books/${book.id}`).send(book);
      },
    );
    refuseOtherMethods(scope, '/books', ['GET', 'POST']);

    const byId = { params: bookIdParamsSchema };
    type ById = { Params: { id: string } };

    scope.get<ById>(
      '/books/:id',
      {
        schema: {
          summary: 'Read one book',
          ...byId,
          response: { 200: { ...bookSchema, description: 'The book.' }, ...errorResponses },
        },
      },
      async (request) => found(await books.get(request.params.id), request.params.id),
    );

    scope.put<ById & { Body: BookInput }>(
      '/books/:id',
      {
        onRequest: requireIdentity,
        schema: {
          summary: 'Replace a book (omitted year/isbn become null)',
          security: bearer,
          ...byId,
          body: bookBodySchema,
          response: { 200: { ...bookSchema, description: 'The stored book.' }, ...errorResponses },
        },
      },
      async (request) =>
        found(await books.update(request.params.id, fullReplacement(request.body), userOf(request)), request.params.id),
    );

    scope.patch<ById & { Body: BookPatch }>(
      '/books/:id',
      {
        onRequest: requireIdentity,
        schema: {
          summary: 'Change some fields of a book (null clears year/isbn)',
          security: bearer,
          consumes: ['application/json', 'application/merge-patch+json'],
          ...byId,
          body: bookPatchSchema,
          response: { 200: { ...bookSchema, description: 'The stored book.' }, ...errorResponses },
        },
      },
      async (request) => found(await books.update(request.params.id, request.body, userOf(request)), request.params.id),
    );

    scope.delete<ById>(
      '/books/:id',
      {
        onRequest: requireIdentity,
        schema: {
          summary: 'Delete a book',
          security: bearer,
          ...byId,
          response: { 204: { type: 'null', description: 'Deleted.' }, ...errorResponses },
        },
      },
      async (request, reply) => {
        if (!(await books.delete(request.params.id))) throw notFound(request.params.id);
        return reply.code(204).send();
      },
    );
    refuseOtherMethods(scope, '/books/:id', ['GET', 'PUT', 'PATCH', 'DELETE']);
  });
}

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

const errorResponses = { '4xx': errorSchema, '5xx': errorSchema };

export function registerOperationalRoutes(
  app: FastifyInstance,
  pool: Pool,
  state: ServiceState,
  metrics: Registry,
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  refuseOtherMethods(app, '/healthz', ['GET']);

  app.get('/readyz', async (request, reply) => {
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

  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
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
      { schema: { querystring: listQuerySchema, response: { 200: bookListSchema, ...errorResponses } } },
      async (request) => {
        const page = await books.list(request.query);
        return { ...page, limit: request.query.limit, offset: request.query.offset };
      },
    );

    scope.post<{ Body: BookInput }>(
      '/books',
      {
        onRequest: requireIdentity,
        schema: { body: bookBodySchema, response: { 201: bookSchema, ...errorResponses } },
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
      { schema: { ...byId, response: { 200: bookSchema, ...errorResponses } } },
      async (request) => found(await books.get(request.params.id), request.params.id),
    );

    scope.put<ById & { Body: BookInput }>(
      '/books/:id',
      {
        onRequest: requireIdentity,
        schema: { ...byId, body: bookBodySchema, response: { 200: bookSchema, ...errorResponses } },
      },
      async (request) =>
        found(await books.update(request.params.id, fullReplacement(request.body), userOf(request)), request.params.id),
    );

    scope.patch<ById & { Body: BookPatch }>(
      '/books/:id',
      {
        onRequest: requireIdentity,
        schema: { ...byId, body: bookPatchSchema, response: { 200: bookSchema, ...errorResponses } },
      },
      async (request) => found(await books.update(request.params.id, request.body, userOf(request)), request.params.id),
    );

    scope.delete<ById>(
      '/books/:id',
      { onRequest: requireIdentity, schema: { ...byId, response: { ...errorResponses } } },
      async (request, reply) => {
        if (!(await books.delete(request.params.id))) throw notFound(request.params.id);
        return reply.code(204).send();
      },
    );
    refuseOtherMethods(scope, '/books/:id', ['GET', 'PUT', 'PATCH', 'DELETE']);
  });
}

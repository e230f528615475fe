import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { refuseOtherMethods } from './http';

/**
 * The API describes itself: @fastify/swagger builds an OpenAPI 3.1 document from the routes' own schemas (the same
 * ones that validate requests and serialise responses), served as JSON and as a Swagger UI page. Everything lives
 * under /books so the gateway's books route carries it. Routes marked `hide` (health, metrics, 405 refusals) are
 * not part of the public contract.
 */
export const OPENAPI_PATHS = { document: '/books/openapi.json', page: '/books/docs' } as const;

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Books API',
        version: '1',
        description:
          'Reads are public. Writes need `Authorization: Bearer <token>` with scope `books:write`, checked by the ' +
          'gateway. Every error has the shape `{error, message, details}`.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: OPENAPI_PATHS.page });
  app.get(OPENAPI_PATHS.document, { schema: { hide: true } }, () => app.swagger());
  refuseOtherMethods(app, OPENAPI_PATHS.document, ['GET']);
}

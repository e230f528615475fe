import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors';

/**
 * The gateway removes any client-sent X-Authenticated-User and, for authenticated writes, sets it to the verified
 * JWT `sub`. books trusts nothing else. A value must be 1–128 visible ASCII characters (no spaces or controls).
 */
export const IDENTITY_HEADER = 'x-authenticated-user';
const IDENTITY_FORMAT = /^[\x21-\x7e]{1,128}$/;

declare module 'fastify' {
  interface FastifyRequest {
    authenticatedUser: string | null;
  }
}

/** onRequest hook for writes: 401 before anything else is looked at (body, content type). */
export async function requireIdentity(request: FastifyRequest): Promise<void> {
  const header = request.headers[IDENTITY_HEADER];
  if (header === undefined) {
    throw new HttpError(401, 'unauthenticated', 'Writes require an authenticated user (X-Authenticated-User).');
  }
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!IDENTITY_FORMAT.test(value)) {
    throw new HttpError(401, 'unauthenticated', 'X-Authenticated-User is malformed.', {
      header: 'X-Authenticated-User',
      expected: '1-128 visible ASCII characters',
    });
  }
  request.authenticatedUser = value;
}

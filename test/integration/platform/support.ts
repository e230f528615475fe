/**
 * What the platform cases know about the platform: only the harness environment (docs/contracts.md), so the same
 * cases run against `npm run dev`'s topology (test/integration/hooks/platform.ts) and the Docker images
 * (test/images/hooks.ts).
 */
import { readFileSync } from 'node:fs';
import { mintToken } from '../../../apps/books-reverse-proxy/src/token';
import type { ErrorBody } from '../../../apps/books-react/src/api/types';

export interface PlatformEnv {
  url: string;
  writeToken: string;
  hs256KeyFile: string;
  issuer: string;
  audience: string;
}

const VARIABLES = {
  url: 'BOOKS_PLATFORM_URL',
  writeToken: 'BOOKS_WRITE_TOKEN',
  hs256KeyFile: 'BOOKS_JWT_HS256_KEY_FILE',
  issuer: 'BOOKS_JWT_ISSUER',
  audience: 'BOOKS_JWT_AUDIENCE',
} as const satisfies Record<keyof PlatformEnv, string>;

/** Read at call time (inside hooks/tests), after the root hook has set the variables. */
export function platformEnv(): PlatformEnv {
  const missing = Object.values(VARIABLES).filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(`platform cases need ${missing.join(', ')}: run them through a harness (npm run test:integration)`);
  }
  const env = {} as PlatformEnv;
  for (const [key, name] of Object.entries(VARIABLES)) env[key as keyof PlatformEnv] = process.env[name] as string;
  return env;
}

export interface TokenOverrides {
  sub?: string;
  scope?: string;
  ttlSeconds?: number;
  notBeforeSeconds?: number;
  issuer?: string;
  audience?: string;
  /** A different HS256 secret (bad signature). */
  key?: Uint8Array;
}

/** An HS256 token signed with the platform's key (or `key`), valid for 5 minutes unless overridden. */
export function token(overrides: TokenOverrides = {}): Promise<string> {
  const env = platformEnv();
  return mintToken({
    alg: 'HS256',
    key: overrides.key ?? readFileSync(env.hs256KeyFile),
    sub: overrides.sub ?? 'platform-test',
    scope: 'scope' in overrides ? overrides.scope : 'books:write',
    issuer: overrides.issuer ?? env.issuer,
    audience: overrides.audience ?? env.audience,
    ttlSeconds: overrides.ttlSeconds ?? 300,
    notBeforeSeconds: overrides.notBeforeSeconds,
  });
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body when the response is JSON; undefined otherwise. */
  json: unknown;
}

/** One request to the gateway; `token` adds `Authorization: Bearer`, an object body is sent as JSON. */
export async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(new URL(path, platformEnv().url), {
    method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: isJson && text ? JSON.parse(text) : undefined,
  };
}

/** The API's wire types, generated from its OpenAPI document (shared with the web app and the drills). */
export type { Book, ErrorBody } from '../../../apps/books-react/src/api/types';

/** A book input no other run shares, so cases never depend on what the database already holds. */
export function uniqueBook(label: string): { title: string; author: string; year: number } {
  return {
    title: `${label} ${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    author: 'Platform Test',
    year: 2001,
  };
}

/** Asserts the shape every error answer has, gateway's and books' alike, and returns it. */
export function errorBody(reply: Reply): ErrorBody {
  const body = reply.json as Partial<ErrorBody> | undefined;
  if (
    !body ||
    typeof body.error !== 'string' ||
    typeof body.message !== 'string' ||
    !('details' in body) ||
    !(reply.headers.get('content-type') ?? '').includes('application/json')
  ) {
    throw new Error(`expected a JSON {error, message, details} body, got ${reply.status} ${reply.text.slice(0, 300)}`);
  }
  return body as ErrorBody;
}

import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { CODE_FOR_STATUS, HttpError } from './errors';
import { isValidIsbn } from './isbn';
import { findDuplicateKey } from './json';
import { PLAIN_TEXT_FORMAT } from './schemas';

/** The HTTP plumbing shared by every route: ids, logging, validation, error shape, 404/405. No routes. */

export interface HttpOptions {
  logLevel: string;
  /** Where JSON log lines go (stdout when omitted); tests pass a stream to read them. */
  logStream?: { write(line: string): void };
}

/** Request bodies are small JSON documents; anything larger is refused with 413 before it is parsed. */
export const BODY_LIMIT_BYTES = 16 * 1024;
const REQUEST_ID_HEADER = 'x-request-id';
/** Same rule as the gateway's: a sane incoming id is kept, anything else is replaced by a fresh UUID. */
const REQUEST_ID_FORMAT = /^[A-Za-z0-9._:-]{1,128}$/;

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type Method = (typeof ALL_METHODS)[number];

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what is refused
const NOT_STORABLE = /[\u0000\uD800-\uDFFF]/u; // with the u flag the range matches unpaired surrogates only

/** Messages for our own formats (Ajv's default, 'must match format "plain-text"', says nothing useful). */
const FORMAT_MESSAGES: Readonly<Record<string, string>> = {
  [PLAIN_TEXT_FORMAT]: 'must not contain U+0000 (NUL) or an unpaired UTF-16 surrogate',
};

function validators() {
  const make = (coerceTypes: boolean) => {
    const ajv = new Ajv({
      allErrors: true, // every problem in one answer; safe because every string and body is bounded
      coerceTypes, // query strings and path params arrive as text; bodies must carry the right JSON types
      useDefaults: true,
      removeAdditional: false, // unknown fields are rejected (additionalProperties: false), never stripped
      allowUnionTypes: true,
    });
    addFormats(ajv, ['uuid', 'date-time']);
    ajv.addFormat('isbn', { type: 'string', validate: isValidIsbn });
    ajv.addFormat(PLAIN_TEXT_FORMAT, { type: 'string', validate: (text: string) => !NOT_STORABLE.test(text) });
    return ajv;
  };
  return { body: make(false), other: make(true) };
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

interface ObjectSchema {
  properties?: Record<string, { type?: unknown }>;
}

/** Roots are objects here, so no wrapper needs Ajv's parent-data context (used only to coerce a root value). */
type CompiledValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Integers in a query or path: digits only (Ajv's coercion would also take `1e3`, `0x10`, ` 7` or `1.0`). */
const INTEGER_TEXT = /^-?[0-9]+$/;

/**
 * Query strings and path parameters arrive as text and are coerced by Ajv. Before coercion, every value declared
 * integer must be written as one; after validation, the errors are made to say what is wrong in words: an unknown
 * parameter lists the known ones (`?search=` learns that the search parameter is `q`).
 */
function strictTextValidator(validate: CompiledValidator, schema: ObjectSchema): CompiledValidator {
  const properties = schema.properties ?? {};
  const integers = Object.keys(properties).filter((name) => properties[name]?.type === 'integer');
  const known = Object.keys(properties).join(', ');
  const checked = ((data: unknown) => {
    const values = (data ?? {}) as Record<string, unknown>;
    const notIntegers: ErrorObject[] = integers
      .filter((name) => typeof values[name] === 'string' && !INTEGER_TEXT.test(values[name]))
      .map((name) => ({
        instancePath: `/${name}`,
        schemaPath: `#/properties/${name}/type`,
        keyword: 'type',
        message: 'must be integer (digits only)',
        params: { type: 'integer' },
      }));
    if (notIntegers.length > 0) {
      checked.errors = notIntegers;
      return false;
    }
    const valid = validate(data);
    checked.errors = validate.errors?.map((issue) =>
      issue.keyword === 'additionalProperties'
        ? {
            ...issue,
            message: `must not have parameter "${String(issue.params.additionalProperty)}" (the parameters are: ${known})`,
          }
        : issue,
    );
    return valid;
  }) as CompiledValidator;
  return checked;
}

/** Our own formats' messages in every error, whatever part of the request it is in. */
function withFormatMessages(validate: CompiledValidator): CompiledValidator {
  const checked = ((data: unknown) => {
    const valid = validate(data);
    checked.errors = validate.errors?.map((issue) => {
      const message = issue.keyword === 'format' ? FORMAT_MESSAGES[String(issue.params.format)] : undefined;
      return message === undefined ? issue : { ...issue, message };
    });
    return valid;
  }) as CompiledValidator;
  return checked;
}

function validationDetails(issues: readonly ValidationIssue[], location: string | undefined) {
  return issues.map((issue) => {
    const extra = issue.params.additionalProperty ?? issue.params.missingProperty;
    return {
      location: location ?? 'request',
      path: `${issue.instancePath}${extra === undefined ? '' : `/${String(extra)}`}` || '/',
      keyword: issue.keyword,
      message: issue.message ?? 'is invalid',
      params: issue.params, // e.g. {limit: 500}, {format: "isbn"}, {additionalProperty: "publisher"}
    };
  });
}

/** Maps anything thrown in a request to the one error shape. */
function toHttpError(error: FastifyError): HttpError {
  if (error instanceof HttpError) return error;
  if (error.validation) {
    return new HttpError(
      400,
      'validation_failed',
      error.message,
      validationDetails(error.validation as ValidationIssue[], error.validationContext),
    );
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new HttpError(status, CODE_FOR_STATUS[status] ?? 'bad_request', error.message, { code: error.code ?? null });
  }
  return new HttpError(500, 'internal_error', 'An unexpected error occurred.');
}

/** Client errors by Node's HTTP parser code; anything else unparseable is a 400. */
const PARSER_ERROR_STATUS: Readonly<Record<string, number>> = {
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_HEADER_OVERFLOW: 431,
};

/**
 * Requests Node cannot parse (oversized headers, garbage request lines) never reach Fastify's routing; answer
 * them in the same JSON error shape as everything else (Fastify's default uses another shape).
 */
function answerUnparseableRequest(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const status = PARSER_ERROR_STATUS[error.code ?? ''] ?? 400;
    const body = JSON.stringify(
      new HttpError(status, CODE_FOR_STATUS[status] ?? 'bad_request', 'The request could not be parsed as HTTP.', {
        code: error.code ?? null,
      }).body(),
    );
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * A JSON body must be UTF-8 (RFC 8259 §8.1): a charset parameter is allowed only when it says so, anything else is 415
 * rather than a UTF-8 decode that happens to succeed.
 */
function refuseOtherCharsets(contentType: string | undefined): HttpError | null {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '')?.[1];
  return charset === undefined || charset.toLowerCase() === 'utf-8'
    ? null
    : new HttpError(415, 'unsupported_media_type', `The request body must be UTF-8 JSON, not charset=${charset}.`, {
        charset,
      });
}

/** RFC 8259 §4 leaves duplicate names undefined; which one counts is not guessed: the body is refused. */
function refuseDuplicateKeys(text: string): HttpError | null {
  const duplicate = findDuplicateKey(text);
  return duplicate === null
    ? null
    : new HttpError(400, 'duplicate_key', `The request body repeats the key "${duplicate.key}" in one object.`, {
        location: 'body',
        path: duplicate.path,
      });
}

/** Fatal: a malformed sequence throws instead of becoming U+FFFD. Stateless between decode() calls, so shared. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** RFC 8259 §8.1: JSON exchanged between systems is UTF-8; a body that is not is refused, never repaired. */
function decodeUtf8Body(body: Buffer): string | HttpError {
  try {
    return STRICT_UTF8.decode(body);
  } catch {
    return new HttpError(400, 'invalid_encoding', 'The request body is not valid UTF-8.', { location: 'body' });
  }
}

/**
 * Fastify's query parser keeps a value it cannot percent-decode as it was (`%C3%28` would be searched for
 * literally), so the query is checked first: percent escapes must be well-formed and decode to valid UTF-8
 * (decodeURIComponent enforces both). Path parameters are decoded by the router, which refuses them itself
 * (FST_ERR_BAD_URL, answered as badPathEncoding by frameworkErrors).
 */
function assertQueryEncoding(url: string): void {
  const queryStart = url.indexOf('?');
  if (queryStart < 0 || !url.includes('%', queryStart)) return;
  try {
    decodeURIComponent(url.slice(queryStart + 1));
  } catch {
    throw new HttpError(
      400,
      'invalid_encoding',
      'The query string has a malformed percent escape or is not valid UTF-8.',
      { location: 'querystring' },
    );
  }
}

/** The router could not percent-decode a path parameter (malformed escape or not UTF-8). */
const badPathEncoding = (): HttpError =>
  new HttpError(400, 'invalid_encoding', 'The path has a malformed percent escape or is not valid UTF-8.', {
    location: 'path',
  });

export function createHttpApp(options: HttpOptions): FastifyInstance {
  const app = Fastify({
    logger: { level: options.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) },
    bodyLimit: BODY_LIMIT_BYTES,
    clientErrorHandler: answerUnparseableRequest,
    // Errors Fastify raises before routing and before any hook get our shape and request id too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const answer = error.code === 'FST_ERR_BAD_URL' ? badPathEncoding() : toHttpError(error);
      reply.header(REQUEST_ID_HEADER, request.id).code(answer.statusCode).send(answer.body());
    },
    requestIdHeader: false, // read and checked in genReqId instead of trusted blindly
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: (request) => {
      const incoming = request.headers[REQUEST_ID_HEADER];
      return typeof incoming === 'string' && REQUEST_ID_FORMAT.test(incoming) ? incoming : randomUUID();
    },
  });

  const ajv = validators();
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validate = withFormatMessages((httpPart === 'body' ? ajv.body : ajv.other).compile(schema));
    return httpPart === 'querystring' || httpPart === 'params'
      ? strictTextValidator(validate, schema as ObjectSchema)
      : validate;
  });

  // Only JSON is accepted: drop Fastify's text/plain parser; JSON merge patch is JSON too. Bodies are read as bytes
  // and decoded strictly here, the one place every body passes, because Fastify's own string parser would repair
  // invalid UTF-8 with U+FFFD and store it.
  const parseJsonText = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser(
    ['application/json', 'application/merge-patch+json'],
    { parseAs: 'buffer' },
    (request, body, done) => {
      const wrongCharset = refuseOtherCharsets(request.headers['content-type']);
      const text = wrongCharset ?? decodeUtf8Body(body as Buffer);
      if (text instanceof HttpError) done(text, undefined);
      else
        parseJsonText(request, text, (error, parsed) => {
          // Duplicates are looked for only in syntactically valid JSON, so syntax errors keep their own answer.
          done(error ?? refuseDuplicateKeys(text), error ? undefined : parsed);
        });
    },
  );

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    assertQueryEncoding(request.url);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = toHttpError(error);
    if (answer.statusCode >= 500) {
      request.log[answer.statusCode === 503 ? 'warn' : 'error']({ err: error }, answer.message);
    }
    return reply.code(answer.statusCode).send(answer.body());
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(new HttpError(404, 'not_found', `No route for ${request.method} ${request.url}.`).body()),
  );

  return app;
}

/** Answers the methods a path does not support with 405 and an Allow header. HEAD follows GET. */
export function refuseOtherMethods(app: FastifyInstance, url: string, allowed: readonly Method[]): void {
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  const refuse = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('allow', allow);
    throw new HttpError(405, 'method_not_allowed', `${request.method} is not allowed on ${url}.`, { allow });
  };
  app.route({
    method: ALL_METHODS.filter((method) => !allowed.includes(method)),
    url,
    // As onRequest, the refusal comes before any body parsing; Fastify still requires a handler.
    onRequest: refuse,
    schema: { hide: true }, // not an operation of the API (OpenAPI document)
    handler: refuse,
  });
}

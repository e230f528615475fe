/**
 * The books API's wire types, taken from its OpenAPI document (./openapi.ts is generated from the routes' own
 * schemas by apps/books/scripts/contract.ts; a test there fails when it is stale). Nothing here restates a field.
 */
import type { paths } from './openapi';

type JsonOf<Response> = Response extends { content: { 'application/json': infer Body } } ? Body : never;

/** A book as the books API returns it. */
export type Book = JsonOf<paths['/books/{id}']['get']['responses'][200]>;

/** One page of a listing. */
export type BookPage = JsonOf<paths['/books']['get']['responses'][200]>;

/** The body of POST /books and PUT /books/{id}. */
export type BookBody = JsonOf<paths['/books']['post']['requestBody']>;

/**
 * What the form sends on create (POST) and full replace (PUT). Fields the person left empty are omitted. `year` may
 * be a string only when the person typed something that is not an integer; the API then explains the error.
 */
export type BookInput = Omit<BookBody, 'year'> & { year?: BookBody['year'] | string };

/** The listing parameters the web app always sends. */
export type ListQuery = Required<
  Pick<NonNullable<paths['/books']['get']['parameters']['query']>, 'q' | 'limit' | 'offset'>
>;

/** Every error answer, from the API or the gateway: `{error, message, details}`. */
export type ErrorBody = JsonOf<paths['/books']['get']['responses']['4XX']>;

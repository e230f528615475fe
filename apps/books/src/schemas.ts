/** JSON schemas for the edge: what requests may carry and what responses contain. */

export const LIMITS = {
  titleMaxLength: 500,
  authorMaxLength: 300,
  isbnMaxLength: 20,
  queryMaxLength: 200,
  yearMin: -4000,
  yearMax: 2100,
  pageDefault: 20,
  pageMax: 100,
  offsetMax: 1_000_000,
} as const;

/** Sort keys accepted by `?sort=`, mapped to their column (the only values ever put into ORDER BY). */
export const SORT_COLUMNS = {
  createdAt: 'created_at',
  title: 'title',
  author: 'author',
  year: 'year',
} as const;
export type SortKey = keyof typeof SORT_COLUMNS;

const nonBlank = '\\S';

/**
 * Text that PostgreSQL and JSON can both carry: no U+0000 (a text column cannot hold it) and no unpaired UTF-16
 * surrogate (not a Unicode character; the driver would store U+FFFD). Checked by http.ts; every free-text field and
 * query parameter uses it.
 */
export const PLAIN_TEXT_FORMAT = 'plain-text';

const bookFields = {
  title: {
    type: 'string',
    minLength: 1,
    maxLength: LIMITS.titleMaxLength,
    pattern: nonBlank,
    format: PLAIN_TEXT_FORMAT,
  },
  author: {
    type: 'string',
    minLength: 1,
    maxLength: LIMITS.authorMaxLength,
    pattern: nonBlank,
    format: PLAIN_TEXT_FORMAT,
  },
  year: { type: ['integer', 'null'], minimum: LIMITS.yearMin, maximum: LIMITS.yearMax },
  isbn: { type: ['string', 'null'], maxLength: LIMITS.isbnMaxLength, format: 'isbn' },
} as const;

/** POST and PUT: the whole book. year and isbn may be omitted (stored as null). */
export const bookBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'author'],
  properties: bookFields,
} as const;

/** PATCH: any non-empty subset. */
export const bookPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: bookFields,
} as const;

export const bookIdParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: LIMITS.pageMax, default: LIMITS.pageDefault },
    offset: { type: 'integer', minimum: 0, maximum: LIMITS.offsetMax, default: 0 },
    q: {
      type: 'string',
      minLength: 1,
      maxLength: LIMITS.queryMaxLength,
      format: PLAIN_TEXT_FORMAT,
      description: 'Search text: books whose title or author contains it (case-insensitive).',
    },
    sort: { type: 'string', enum: Object.keys(SORT_COLUMNS), default: 'createdAt' },
    order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
  },
} as const;

export const bookSchema = {
  type: 'object',
  required: ['id', 'title', 'author', 'year', 'isbn', 'createdBy', 'updatedBy', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    author: { type: 'string' },
    year: { type: ['integer', 'null'] },
    isbn: { type: ['string', 'null'] },
    createdBy: { type: 'string' },
    updatedBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const bookListSchema = {
  type: 'object',
  required: ['items', 'total', 'limit', 'offset'],
  properties: {
    items: { type: 'array', items: bookSchema },
    total: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
} as const;

export const errorSchema = {
  type: 'object',
  required: ['error', 'message', 'details'],
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    details: {},
  },
} as const;

export interface BookInput {
  title: string;
  author: string;
  year?: number | null;
  isbn?: string | null;
}
export type BookPatch = Partial<BookInput>;

export interface ListQuery {
  limit: number;
  offset: number;
  q?: string;
  sort: SortKey;
  order: 'asc' | 'desc';
}

export interface Book {
  id: string;
  title: string;
  author: string;
  year: number | null;
  isbn: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

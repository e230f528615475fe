import pg from 'pg';
import { guarded } from './database';
import { HttpError } from './errors';
import { normaliseIsbn } from './isbn';
import { SORT_COLUMNS, type Book, type BookInput, type BookPatch, type ListQuery, type SortKey } from './schemas';

/** SQL for the books table; every call goes through `guarded` so a lost database becomes a 503. */

const COLUMNS = `id, title, author, year, isbn, created_by AS "createdBy", updated_by AS "updatedBy",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** API field → column, for the fields a client may write. */
const WRITABLE_COLUMNS = { title: 'title', author: 'author', year: 'year', isbn: 'isbn' } as const;
type WritableField = keyof typeof WRITABLE_COLUMNS;

const UNIQUE_VIOLATION = '23505';

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function storedValue(field: WritableField, value: string | number | null | undefined): string | number | null {
  if (value === undefined || value === null) return null;
  return field === 'isbn' ? normaliseIsbn(String(value)) : value;
}

async function writing<T>(call: () => Promise<T>, isbn: string | null | undefined): Promise<T> {
  try {
    return await guarded(call);
  } catch (error) {
    if (error instanceof pg.DatabaseError && error.code === UNIQUE_VIOLATION) {
      throw new HttpError(409, 'conflict', 'A book with this ISBN already exists.', {
        field: 'isbn',
        isbn: isbn === null || isbn === undefined ? null : normaliseIsbn(isbn),
      });
    }
    throw error;
  }
}

/** Exported with the list query so the benchmark's bare node:http baseline runs exactly the same SQL. */
export const SELECT_BY_ID_SQL = `SELECT ${COLUMNS} FROM books WHERE id = $1`;

/** Parameters: $1 ILIKE pattern or null, $2 limit, $3 offset. Returns one row even for an empty page (total). */
export function listSql(sort: SortKey, order: 'asc' | 'desc'): string {
  const column = SORT_COLUMNS[sort];
  const direction = order === 'desc' ? 'DESC' : 'ASC';
  // One round trip: the count and the page come from the same snapshot.
  return `
    WITH filtered AS (
      SELECT * FROM books WHERE $1::text IS NULL OR title ILIKE $1 OR author ILIKE $1
    )
    SELECT total.count AS total, page.*
    FROM (SELECT count(*)::int AS count FROM filtered) total
    LEFT JOIN LATERAL (
      SELECT ${COLUMNS} FROM filtered
      ORDER BY ${column} ${direction} NULLS LAST, id ${direction}
      LIMIT $2 OFFSET $3
    ) page ON true`;
}

export interface BookPage {
  items: Book[];
  total: number;
}

export class BookRepository {
  constructor(private readonly pool: pg.Pool) {}

  async list(query: ListQuery): Promise<BookPage> {
    const pattern = query.q === undefined ? null : `%${escapeLike(query.q)}%`;
    const { rows } = await guarded(() =>
      this.pool.query<Book & { total: number }>(listSql(query.sort, query.order), [pattern, query.limit, query.offset]),
    );
    const total = rows[0]?.total ?? 0;
    const items = rows.filter((row) => row.id !== null).map(({ total: _total, ...book }) => book);
    return { items, total };
  }

  async get(id: string): Promise<Book | undefined> {
    const { rows } = await guarded(() => this.pool.query<Book>(SELECT_BY_ID_SQL, [id]));
    return rows[0];
  }

  async create(input: BookInput, user: string): Promise<Book> {
    const { rows } = await writing(
      () =>
        this.pool.query<Book>(
          `INSERT INTO books (title, author, year, isbn, created_by, updated_by)
           VALUES ($1, $2, $3, $4, $5, $5) RETURNING ${COLUMNS}`,
          [input.title, input.author, storedValue('year', input.year), storedValue('isbn', input.isbn), user],
        ),
      input.isbn,
    );
    return rows[0]!;
  }

  /** Applies the given fields (all of them for PUT, a subset for PATCH); undefined when the id is unknown. */
  async update(id: string, fields: BookPatch, user: string): Promise<Book | undefined> {
    const names = Object.keys(fields) as WritableField[];
    const assignments = names.map((name, index) => `${WRITABLE_COLUMNS[name]} = $${index + 3}`);
    const values = names.map((name) => storedValue(name, fields[name]));
    const { rows } = await writing(
      () =>
        this.pool.query<Book>(
          `UPDATE books SET ${[...assignments, 'updated_by = $2', 'updated_at = now()'].join(', ')}
           WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, user, ...values],
        ),
      fields.isbn,
    );
    return rows[0];
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await guarded(() => this.pool.query('DELETE FROM books WHERE id = $1', [id]));
    return rowCount === 1;
  }
}

/** PUT replaces the whole book: omitted optional fields become null. */
export function fullReplacement(input: BookInput): Required<BookInput> {
  return { title: input.title, author: input.author, year: input.year ?? null, isbn: input.isbn ?? null };
}

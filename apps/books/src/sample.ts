import type { Pool } from 'pg';
import { guarded } from './database';

/** The opt-in sample catalogue: real books, ISBN-13s with valid checksums. */
export const SAMPLE_BOOKS: ReadonlyArray<{ title: string; author: string; year: number; isbn: string }> = [
  { title: 'The Pragmatic Programmer', author: 'David Thomas, Andrew Hunt', year: 2019, isbn: '9780135957059' },
  { title: 'Clean Code', author: 'Robert C. Martin', year: 2008, isbn: '9780132350884' },
  {
    title: 'Design Patterns',
    author: 'Erich Gamma, Richard Helm, Ralph Johnson, John Vlissides',
    year: 1994,
    isbn: '9780201633610',
  },
  {
    title: 'Structure and Interpretation of Computer Programs',
    author: 'Harold Abelson, Gerald Jay Sussman',
    year: 1996,
    isbn: '9780262510875',
  },
  { title: 'The Mythical Man-Month', author: 'Frederick P. Brooks Jr.', year: 1995, isbn: '9780201835953' },
  { title: 'Refactoring', author: 'Martin Fowler', year: 2018, isbn: '9780134757599' },
  {
    title: 'Introduction to Algorithms',
    author: 'Thomas H. Cormen, Charles E. Leiserson, Ronald L. Rivest, Clifford Stein',
    year: 2009,
    isbn: '9780262033848',
  },
  {
    title: 'The C Programming Language',
    author: 'Brian W. Kernighan, Dennis M. Ritchie',
    year: 1988,
    isbn: '9780131103627',
  },
  { title: 'Code Complete', author: 'Steve McConnell', year: 2004, isbn: '9780735619678' },
  { title: 'Designing Data-Intensive Applications', author: 'Martin Kleppmann', year: 2017, isbn: '9781449373320' },
  { title: 'Nineteen Eighty-Four', author: 'George Orwell', year: 1949, isbn: '9780141036144' },
  { title: 'Dune', author: 'Frank Herbert', year: 1965, isbn: '9780441172719' },
];

export const SAMPLE_LOADER_USER = 'sample-loader';

/**
 * Inserts the sample books that are not there yet (matched by ISBN, the unique key), so running it again, or
 * from two replicas at once, never duplicates. Returns how many rows it added.
 */
export async function loadSampleCatalogue(pool: Pool): Promise<number> {
  const column = <K extends keyof (typeof SAMPLE_BOOKS)[number]>(key: K) => SAMPLE_BOOKS.map((book) => book[key]);
  const { rowCount } = await guarded(() =>
    pool.query(
      `INSERT INTO books (title, author, year, isbn, created_by, updated_by)
       SELECT title, author, year, isbn, $5, $5
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS sample(title, author, year, isbn)
       ON CONFLICT (isbn) DO NOTHING`,
      [column('title'), column('author'), column('year'), column('isbn'), SAMPLE_LOADER_USER],
    ),
  );
  return rowCount ?? 0;
}

/** The schema, as an append-only list: never edit an applied migration, add a new one. */
export interface Migration {
  id: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_create_books',
    sql: `
      CREATE TABLE books (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
        author text NOT NULL CHECK (char_length(author) BETWEEN 1 AND 300),
        year integer CHECK (year BETWEEN -4000 AND 2100),
        isbn text UNIQUE CHECK (isbn ~ '^97[89][0-9]{10}$'),
        created_by text NOT NULL,
        updated_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- One index per sort key; id breaks ties so pages are stable.
      CREATE INDEX books_created_at_id_idx ON books (created_at, id);
      CREATE INDEX books_title_id_idx ON books (title, id);
      CREATE INDEX books_author_id_idx ON books (author, id);
      CREATE INDEX books_year_id_idx ON books (year, id);
    `,
  },
];

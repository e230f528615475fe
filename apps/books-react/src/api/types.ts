/** A book as the books API returns it. */
export interface Book {
  id: string;
  title: string;
  author: string;
  year: number | null;
  isbn: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

/** What the form sends on create (POST) and full replace (PUT). Fields the person left empty are omitted. */
export interface BookInput {
  title: string;
  author: string;
  /** A string only when the person typed something that is not an integer; the API then explains the error. */
  year?: number | string;
  isbn?: string;
}

/** One page of a listing. */
export interface BookPage {
  items: Book[];
  total: number;
  limit: number;
  offset: number;
}

export interface ListQuery {
  q: string;
  limit: number;
  offset: number;
}

import { describe, expect, it } from 'vitest';
import { mapFieldErrors } from '../../src/api/fieldErrors';

const FIELDS = ['title', 'author', 'year', 'isbn'] as const;
const invalid = (details: unknown) => ({ message: 'body is invalid', details });

describe('mapFieldErrors', () => {
  it('maps the issues books sends ({location, path, keyword, message}) onto fields in plain words', () => {
    const result = mapFieldErrors(
      invalid([
        { location: 'body', path: '/title', keyword: 'required', message: "must have required property 'title'" },
        { location: 'body', path: '/author', keyword: 'maxLength', message: 'must NOT have more than 300 characters' },
        { location: 'body', path: '/year', keyword: 'type', message: 'must be integer,null' },
        { location: 'body', path: '/isbn', keyword: 'format', message: 'must match format "isbn"' },
        {
          location: 'body',
          path: '/colour',
          keyword: 'additionalProperties',
          message: 'must NOT have additional properties',
        },
        { location: 'querystring', path: '/limit', keyword: 'maximum', message: 'must be <= 100' },
      ]),
      FIELDS,
    );
    expect(result.byField).toEqual({
      title: 'This field is required.',
      author: 'Must be at most 300 characters.',
      year: 'Must be a whole number.',
      isbn: 'Must be a valid ISBN-10 or ISBN-13.',
    });
    expect(result.other).toEqual(['colour: This field is not accepted.', 'Must be 100 or less.']);
  });

  it('maps raw ajv errors (instancePath + params) too', () => {
    const result = mapFieldErrors(
      invalid([
        {
          instancePath: '',
          keyword: 'required',
          params: { missingProperty: 'author' },
          message: "must have required property 'author'",
        },
        {
          instancePath: '/year',
          keyword: 'minimum',
          params: { comparison: '>=', limit: -4000 },
          message: 'must be >= -4000',
        },
        {
          instancePath: '/title',
          keyword: 'minLength',
          params: { limit: 1 },
          message: 'must NOT have fewer than 1 characters',
        },
        { instancePath: '/title', keyword: 'pattern', params: { pattern: '\\S' }, message: 'must match pattern "\\S"' },
        { instancePath: '', keyword: 'type', params: { type: 'object' }, message: 'must be object' },
      ]),
      FIELDS,
    );
    expect(result.byField).toEqual({
      author: 'This field is required.',
      year: 'Must be -4000 or more.',
      title: 'This field is required.',
    });
    expect(result.other).toEqual(['Must be object.']);
  });

  it('keeps the API wording for keywords it has no plain words for', () => {
    const result = mapFieldErrors(
      invalid([{ path: '/title', keyword: 'const', message: 'must be equal to constant' }]),
      FIELDS,
    );
    expect(result.byField).toEqual({ title: 'Must be equal to constant.' });
  });

  it('puts a conflict that names a field next to that field', () => {
    const result = mapFieldErrors(
      { message: 'A book with this ISBN already exists.', details: { field: 'isbn', isbn: '9780441478125' } },
      FIELDS,
    );
    expect(result).toEqual({ byField: { isbn: 'A book with this ISBN already exists.' }, other: [] });
  });

  it('ignores details it does not understand', () => {
    expect(mapFieldErrors(invalid(null), FIELDS)).toEqual({ byField: {}, other: [] });
    expect(mapFieldErrors(invalid({ code: 'FST_ERR' }), FIELDS)).toEqual({ byField: {}, other: [] });
    expect(mapFieldErrors(invalid(['text', 3]), FIELDS)).toEqual({ byField: {}, other: [] });
  });
});

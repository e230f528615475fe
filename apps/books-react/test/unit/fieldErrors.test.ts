import { describe, expect, it } from 'vitest';
import { mapFieldErrors } from '../../src/api/fieldErrors';

const FIELDS = ['title', 'author', 'year', 'isbn'] as const;

describe('mapFieldErrors', () => {
  it('maps instancePath, missingProperty and additionalProperty errors onto fields', () => {
    const result = mapFieldErrors(
      [
        { instancePath: '/year', keyword: 'type', params: { type: 'integer' }, message: 'must be integer' },
        { instancePath: '', keyword: 'required', params: { missingProperty: 'title' }, message: "must have required property 'title'" },
        { instancePath: '/isbn', keyword: 'format', params: {}, message: 'must be a valid ISBN.' },
      ],
      FIELDS,
    );
    expect(result.byField).toEqual({ year: 'Must be a whole number.', title: 'This field is required.', isbn: 'Must be a valid ISBN.' });
    expect(result.other).toEqual([]);
  });

  it('keeps the first error per field and reports unknown fields separately', () => {
    const result = mapFieldErrors(
      [
        { instancePath: '/title', keyword: 'maxLength', params: { limit: 500 }, message: 'must NOT have more than 500 characters' },
        { instancePath: '/title', keyword: 'minLength', params: { limit: 1 }, message: 'must NOT have fewer than 1 characters' },
        { instancePath: '/year', keyword: 'maximum', params: { comparison: '<=', limit: 2100 }, message: 'must be <= 2100' },
        { instancePath: '/author', keyword: 'minLength', message: 'must NOT have fewer than 1 characters' },
        { instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'colour' }, message: 'x' },
        { instancePath: '', keyword: 'type', message: 'must be object' },
      ],
      FIELDS,
    );
    expect(result.byField).toEqual({
      title: 'Must be at most 500 characters.',
      year: 'Must be 2100 or less.',
      author: 'Must NOT have fewer than 1 characters.', // no params: fall back to the API's own words
    });
    expect(result.other).toEqual(['colour: This field is not accepted.', 'Must be object.']);
  });

  it('ignores details that are not a list of errors', () => {
    expect(mapFieldErrors(null, FIELDS)).toEqual({ byField: {}, other: [] });
    expect(mapFieldErrors({ title: 'x' }, FIELDS)).toEqual({ byField: {}, other: [] });
    expect(mapFieldErrors(['text', 3], FIELDS)).toEqual({ byField: {}, other: [] });
  });
});

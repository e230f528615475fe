import assert from 'node:assert/strict';
import { isValidIsbn, normaliseIsbn } from '../src/isbn';

describe('ISBN validation and normalisation', function () {
  const valid: Array<[string, string]> = [
    ['9780441172719', '9780441172719'],
    ['978-0-441-17271-9', '9780441172719'],
    ['978 0 441 17271 9', '9780441172719'],
    ['0441172717', '9780441172719'], // ISBN-10 → its ISBN-13
    ['0-441-17271-7', '9780441172719'],
    ['080442957X', '9780804429573'], // X check digit
    ['0-8044-2957-x', '9780804429573'],
    ['979-10-90636-07-1', '9791090636071'], // 979 prefix
  ];
  for (const [input, canonical] of valid) {
    it(`accepts ${input} as ${canonical}`, function () {
      assert.equal(isValidIsbn(input), true);
      assert.equal(normaliseIsbn(input), canonical);
    });
  }

  const invalid = [
    '9780441172718', // wrong ISBN-13 check digit
    '0441172718', // wrong ISBN-10 check digit
    '9770441172711', // not a 978/979 prefix
    '978044117271', // 12 digits
    '04411727171', // 11 digits
    'X441172717', // X only allowed last
    '978044117271X', // X not allowed in ISBN-13
    '97804411727a9',
    '',
    '----',
  ];
  for (const input of invalid) {
    it(`rejects ${JSON.stringify(input)}`, function () {
      assert.equal(isValidIsbn(input), false);
      assert.throws(() => normaliseIsbn(input), /not a valid ISBN/);
    });
  }
});

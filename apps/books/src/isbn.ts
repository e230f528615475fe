/**
 * ISBN handling. Input may carry hyphens or spaces; the stored form is always the 13-digit ISBN, so an
 * ISBN-10 and its ISBN-13 equivalent are recognised as the same book (one unique key, one 409).
 */

const SEPARATORS = /[\s-]/g;

function stripped(input: string): string {
  return input.replace(SEPARATORS, '').toUpperCase();
}

function isValidIsbn10(digits: string): boolean {
  if (!/^[0-9]{9}[0-9X]$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const value = digits[i] === 'X' ? 10 : Number(digits[i]);
    sum += value * (10 - i);
  }
  return sum % 11 === 0;
}

function isbn13CheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

function isValidIsbn13(digits: string): boolean {
  return /^97[89][0-9]{10}$/.test(digits) && isbn13CheckDigit(digits.slice(0, 12)) === Number(digits[12]);
}

export function isValidIsbn(input: string): boolean {
  const digits = stripped(input);
  return isValidIsbn10(digits) || isValidIsbn13(digits);
}

/** The canonical ISBN-13 of a valid ISBN-10 or ISBN-13; throws on invalid input (validate first). */
export function normaliseIsbn(input: string): string {
  const digits = stripped(input);
  if (isValidIsbn13(digits)) return digits;
  if (isValidIsbn10(digits)) {
    const first12 = `978${digits.slice(0, 9)}`;
    return `${first12}${isbn13CheckDigit(first12)}`;
  }
  throw new Error(`not a valid ISBN: ${JSON.stringify(input)}`);
}

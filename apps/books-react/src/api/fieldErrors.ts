/**
 * Maps an API error's `details` onto form fields. Understood shapes:
 * - validation issues, as books sends them (`[{location, path: "/title", keyword, message}]`) or as raw ajv errors
 *   (`[{instancePath, keyword, message, params}]`);
 * - a conflict naming one field (`{field: "isbn", ...}`), worded with the error's message.
 * Anything that names no form field is returned in `other`, so the form can still show it.
 */
export interface FieldErrors<Field extends string> {
  byField: Partial<Record<Field, string>>;
  other: string[];
}

interface Issue {
  location?: unknown;
  path?: unknown;
  instancePath?: unknown;
  keyword?: unknown;
  message?: unknown;
  params?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function params(issue: Issue): Record<string, unknown> {
  return isObject(issue.params) ? issue.params : {};
}

function text(issue: Issue): string {
  return typeof issue.message === 'string' ? issue.message : '';
}

/** The top-level property an issue is about: first JSON Pointer segment, or the property ajv names in params. */
function fieldOf(issue: Issue): string | undefined {
  const pointer =
    typeof issue.path === 'string' ? issue.path : typeof issue.instancePath === 'string' ? issue.instancePath : '';
  const first = pointer.split('/')[1];
  if (first) return first.replace(/~1/g, '/').replace(/~0/g, '~');
  const named = params(issue);
  for (const key of ['missingProperty', 'additionalProperty', 'propertyName']) {
    const value = named[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** ajv states every limit in its message too ("must NOT have more than 500 characters", "must be <= 2100"). */
function limitOf(issue: Issue): number | undefined {
  const limit = params(issue).limit;
  if (typeof limit === 'number') return limit;
  const match = /-?\d+(?:\.\d+)?/.exec(text(issue));
  return match ? Number(match[0]) : undefined;
}

function withLimit(issue: Issue, words: (limit: number) => string): string | undefined {
  const limit = limitOf(issue);
  return limit === undefined ? undefined : words(limit);
}

/** Plain-language wording for the keywords a book form can trigger; anything else keeps the API's own words. */
const WORDING: Record<string, (issue: Issue) => string | undefined> = {
  required: () => 'This field is required.',
  additionalProperties: () => 'This field is not accepted.',
  minLength: (i) =>
    withLimit(i, (limit) => (limit === 1 ? 'This field is required.' : `Must be at least ${limit} characters.`)),
  maxLength: (i) => withLimit(i, (limit) => `Must be at most ${limit} characters.`),
  minimum: (i) => withLimit(i, (limit) => `Must be ${limit} or more.`),
  maximum: (i) => withLimit(i, (limit) => `Must be ${limit} or less.`),
  type: (i) => (String(params(i).type ?? text(i)).includes('integer') ? 'Must be a whole number.' : undefined),
  format: (i) =>
    params(i).format === 'isbn' || text(i).includes('"isbn"') ? 'Must be a valid ISBN-10 or ISBN-13.' : undefined,
  pattern: (i) => (params(i).pattern === '\\S' || text(i).includes('"\\S"') ? 'Must not be blank.' : undefined),
};

function asSentence(raw: string): string {
  const trimmed = raw.trim() || 'Invalid value';
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

function sentence(issue: Issue): string {
  const worded = typeof issue.keyword === 'string' ? WORDING[issue.keyword]?.(issue) : undefined;
  return worded ?? asSentence(text(issue));
}

export function mapFieldErrors<Field extends string>(
  error: { message: string; details: unknown },
  fields: readonly Field[],
): FieldErrors<Field> {
  const result: FieldErrors<Field> = { byField: {}, other: [] };
  const add = (field: string | undefined, words: string) => {
    const known = fields.find((candidate) => candidate === field);
    if (known === undefined) result.other.push(field ? `${field}: ${words}` : words);
    else result.byField[known] ??= words;
  };
  const { details } = error;
  if (Array.isArray(details)) {
    for (const entry of details) {
      if (!isObject(entry)) continue;
      const issue: Issue = entry;
      // Only the request body maps to form fields; a query-string issue is not something the form can fix.
      const inBody = issue.location === undefined || issue.location === 'body';
      add(inBody ? fieldOf(issue) : undefined, sentence(issue));
    }
  } else if (isObject(details) && typeof details.field === 'string') {
    add(details.field, asSentence(error.message));
  }
  return result;
}

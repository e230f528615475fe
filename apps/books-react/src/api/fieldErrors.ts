/**
 * Maps the API's validation `details` (ajv errors: `{instancePath, keyword, message, params}`) onto form fields.
 * Errors that name no known field are returned separately so the form can still show them.
 */
export interface FieldErrors<Field extends string> {
  byField: Partial<Record<Field, string>>;
  other: string[];
}

interface AjvLikeError {
  instancePath?: unknown;
  keyword?: unknown;
  message?: unknown;
  params?: unknown;
}

function fieldOf(error: AjvLikeError): string | undefined {
  if (typeof error.instancePath === 'string' && error.instancePath !== '') {
    // JSON Pointer: the first segment names the top-level property.
    const first = error.instancePath.split('/')[1] ?? '';
    return first.replace(/~1/g, '/').replace(/~0/g, '~');
  }
  const named = params(error);
  for (const key of ['missingProperty', 'additionalProperty', 'propertyName']) {
    const value = named[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

function params(error: AjvLikeError): Record<string, unknown> {
  return typeof error.params === 'object' && error.params !== null ? (error.params as Record<string, unknown>) : {};
}

/** Words a limit-based error, or gives up (undefined) when the API did not say what the limit is. */
function withLimit(error: AjvLikeError, words: (limit: number) => string): string | undefined {
  const limit = params(error).limit;
  return typeof limit === 'number' ? words(limit) : undefined;
}

/** Plain-language wording for the ajv keywords a book form can trigger; anything else uses the API's message. */
const WORDING: Record<string, (error: AjvLikeError) => string | undefined> = {
  required: () => 'This field is required.',
  additionalProperties: () => 'This field is not accepted.',
  minLength: (e) => withLimit(e, (limit) => (limit === 1 ? 'This field is required.' : `Must be at least ${limit} characters.`)),
  maxLength: (e) => withLimit(e, (limit) => `Must be at most ${limit} characters.`),
  minimum: (e) => withLimit(e, (limit) => `Must be ${limit} or more.`),
  maximum: (e) => withLimit(e, (limit) => `Must be ${limit} or less.`),
  type: (e) => (params(e).type === 'integer' ? 'Must be a whole number.' : undefined),
};

function sentence(error: AjvLikeError): string {
  const worded = typeof error.keyword === 'string' ? WORDING[error.keyword]?.(error) : undefined;
  if (worded !== undefined) return worded;
  const text = typeof error.message === 'string' && error.message !== '' ? error.message : 'Invalid value';
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

export function mapFieldErrors<Field extends string>(details: unknown, fields: readonly Field[]): FieldErrors<Field> {
  const result: FieldErrors<Field> = { byField: {}, other: [] };
  const list: unknown[] = Array.isArray(details) ? details : [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const error = entry as AjvLikeError;
    const field = fieldOf(error);
    const known = fields.find((candidate) => candidate === field);
    if (known === undefined) {
      result.other.push(field ? `${field}: ${sentence(error)}` : sentence(error));
    } else if (result.byField[known] === undefined) {
      result.byField[known] = sentence(error);
    }
  }
  return result;
}

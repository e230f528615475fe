import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/errors';
import { mapFieldErrors } from '../api/fieldErrors';
import type { Book, BookInput } from '../api/types';
import { Alert } from './Alert';

type Field = 'title' | 'author' | 'year' | 'isbn';
type Values = Record<Field, string>;

/** The form's fields; everything that differs between them is in this table. */
const FIELDS: readonly { name: Field; label: string; required: boolean; hint?: string; inputMode?: 'numeric' }[] = [
  { name: 'title', label: 'Title', required: true },
  { name: 'author', label: 'Author', required: true },
  {
    name: 'year',
    label: 'Year',
    required: false,
    hint: 'Year of publication, for example 1969.',
    inputMode: 'numeric',
  },
  { name: 'isbn', label: 'ISBN', required: false, hint: 'ISBN-10 or ISBN-13; hyphens are fine.' },
];
const FIELD_NAMES = FIELDS.map((field) => field.name);
/** The wording the API's `required` errors are shown with too (src/api/fieldErrors.ts), so both read the same. */
const REQUIRED_MESSAGE = 'This field is required.';

export function valuesOf(book: Book | null): Values {
  return {
    title: book?.title ?? '',
    author: book?.author ?? '',
    year: book?.year === null || book?.year === undefined ? '' : String(book.year),
    isbn: book?.isbn ?? '',
  };
}

/** Required fields left empty: checked before sending, so an empty form never asks for an access token first. */
export function missingRequired(values: Values): Partial<Record<Field, string>> {
  return Object.fromEntries(
    FIELDS.filter(({ name, required }) => required && values[name].trim() === '').map(({ name }) => [
      name,
      REQUIRED_MESSAGE,
    ]),
  );
}

/** Empty optional fields are left out; a year that is not an integer is sent as typed so the API explains why. */
export function toBookInput(values: Values): BookInput {
  const input: BookInput = { title: values.title.trim(), author: values.author.trim() };
  const year = values.year.trim();
  if (year !== '') input.year = /^-?\d+$/.test(year) ? Number(year) : year;
  const isbn = values.isbn.trim();
  if (isbn !== '') input.isbn = isbn;
  return input;
}

interface BookFormProps {
  initial: Book | null;
  submitLabel: string;
  /** Where Cancel goes, leaving everything unchanged. */
  cancelHref: string;
  /** Performs the write; rejects with the API's error to have it shown on the form. */
  onSave: (input: BookInput) => Promise<void>;
}

export function BookForm({ initial, submitLabel, cancelHref, onSave }: BookFormProps) {
  const [values, setValues] = useState<Values>(() => valuesOf(initial));
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [otherErrors, setOtherErrors] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const inputs = useRef<Partial<Record<Field, HTMLInputElement | null>>>({});
  const formErrorRef = useRef<HTMLDivElement>(null);

  /** Shows the errors and moves focus to what needs fixing: the first invalid field, else the message. */
  function showErrors(byField: Partial<Record<Field, string>>, other: string[], error: unknown) {
    const firstInvalid = FIELD_NAMES.find((name) => byField[name] !== undefined);
    setFieldErrors(byField);
    setOtherErrors(other);
    // A conflict or validation failure that names no field still needs saying, as does every other failure.
    setFormError(firstInvalid === undefined || other.length > 0 ? error : null);
    queueMicrotask(() => (firstInvalid ? inputs.current[firstInvalid]?.focus() : formErrorRef.current?.focus()));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    const missing = missingRequired(values);
    if (Object.keys(missing).length > 0) {
      showErrors(missing, [], null);
      return;
    }
    setSaving(true);
    setFieldErrors({});
    setOtherErrors([]);
    setFormError(null);
    try {
      await onSave(toBookInput(values));
    } catch (error) {
      const mapped =
        error instanceof ApiError && (error.status === 400 || error.status === 422 || error.status === 409)
          ? mapFieldErrors(error, FIELD_NAMES)
          : { byField: {}, other: [] };
      setSaving(false);
      showErrors(mapped.byField, mapped.other, error);
      return;
    }
    setSaving(false);
  }

  return (
    <form className="book-form" onSubmit={submit} noValidate aria-busy={saving}>
      <div ref={formErrorRef} tabIndex={-1} className="form-errors">
        {formError !== null && <Alert error={formError} />}
        {otherErrors.length > 0 && (
          <ul className="field-error">
            {otherErrors.map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        )}
      </div>
      {FIELDS.map(({ name, label, required, hint, inputMode }) => {
        const error = fieldErrors[name];
        const describedBy = [error ? `${name}-error` : null, hint ? `${name}-hint` : null].filter(Boolean).join(' ');
        return (
          <div className="field" key={name}>
            <label htmlFor={`book-${name}`}>
              {label}
              {required ? ' (required)' : ' (optional)'}
            </label>
            {hint && (
              <p id={`${name}-hint`} className="hint">
                {hint}
              </p>
            )}
            <input
              ref={(element) => {
                inputs.current[name] = element;
              }}
              id={`book-${name}`}
              name={name}
              type="text"
              inputMode={inputMode}
              autoComplete="off"
              aria-required={required}
              aria-invalid={error !== undefined}
              aria-describedby={describedBy || undefined}
              value={values[name]}
              onChange={(event) => setValues((current) => ({ ...current, [name]: event.target.value }))}
            />
            {error && (
              <p id={`${name}-error`} className="field-error">
                {error}
              </p>
            )}
          </div>
        );
      })}
      <div className="actions">
        <button type="submit" className="primary" aria-disabled={saving}>
          {saving ? 'Saving…' : submitLabel}
        </button>
        <a className="button" href={cancelHref}>
          Cancel
        </a>
      </div>
    </form>
  );
}

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AxeResults, RunOptions } from 'axe-core';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * The web app in the system Chromium against the real platform (gateway + books + this app), doing what a person
 * does: add a book (answering the token prompt), edit it, find it by search, delete it.
 */
const CHROMIUM_PATH = process.env.BOOKS_CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const STEP_TIMEOUT_MS = 15_000;
/** axe-core is evaluated through the DevTools protocol, which the app's Content-Security-Policy does not govern. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_OPTIONS: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
};

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. The browser test runs inside \`npm run test:integration\`, whose root hook ` +
        '(test/integration/hooks/platform.ts) starts the platform and sets BOOKS_PLATFORM_URL and BOOKS_WRITE_TOKEN.',
    );
  }
  return value;
}

describe('books-react in Chromium against the platform', function () {
  this.timeout(120_000);

  // A title no other test or leftover data can share, so searching for it finds exactly this book.
  const marker = `brx${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const title = `The Dispossessed ${marker}`;
  const editedTitle = `The Dispossessed, revised ${marker}`;

  let platformUrl = '';
  let writeToken = '';
  let profileDir = '';
  let context: BrowserContext | undefined;
  let page: Page;
  /** Uncaught exceptions and Content-Security-Policy violations seen during the whole flow. */
  const pageProblems: string[] = [];

  before(async function () {
    platformUrl = requiredEnv('BOOKS_PLATFORM_URL').replace(/\/+$/, '');
    writeToken = requiredEnv('BOOKS_WRITE_TOKEN');
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(
        `No Chromium at ${CHROMIUM_PATH}: install it with \`flock /tmp/books-apt.lock apt-get install -y chromium\`.`,
      );
    }
    profileDir = mkdtempSync(join(tmpdir(), 'books-react-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageProblems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) pageProblems.push(`CSP: ${message.text()}`);
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !context) return;
    const file = join(mkdtempSync(join(tmpdir(), 'books-react-failure-')), 'screenshot.png');
    await page.screenshot({ path: file, fullPage: true });
    console.log(`    screenshot of the failure: ${file}`);
  });

  after(async function () {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  async function see(text: string): Promise<void> {
    await page.getByText(text, { exact: true }).first().waitFor({ state: 'visible' });
  }

  /** Runs axe-core (WCAG 2.2 A/AA + best practices) on the page as it is now. */
  async function assertAccessible(state: string): Promise<void> {
    await page.evaluate(AXE_SOURCE);
    const results = await page.evaluate(
      (options) => (window as unknown as { axe: { run(o: RunOptions): Promise<AxeResults> } }).axe.run(options),
      AXE_OPTIONS,
    );
    const violations = results.violations.map(
      (v) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
    assert.deepEqual(violations, [], `accessibility violations ${state}`);
  }

  async function focusedElementId(): Promise<string> {
    return page.evaluate(() => document.activeElement?.id ?? '');
  }

  /** The focused element's computed outline style (`none` when no focus frame is drawn). */
  async function focusOutline(): Promise<{ id: string; outline: string }> {
    return page.evaluate(() => {
      const focused = document.activeElement;
      return { id: focused?.id ?? '', outline: focused ? getComputedStyle(focused).outlineStyle : '' };
    });
  }

  it('shows the list under a plain title', async function () {
    await page.goto(`${platformUrl}/`);
    await page.getByRole('heading', { level: 1, name: 'Books', exact: true }).waitFor();
    await page.locator('#results-summary').waitFor();
    assert.equal(await page.title(), 'Books');
    await assertAccessible('on the book list');
  });

  it('arriving by keyboard focuses the heading without drawing a frame on it; Cancel leaves the form', async function () {
    // Enter on a link is keyboard navigation: the browser would draw :focus-visible frames now.
    await page.getByRole('link', { name: 'Add a book', exact: true }).press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Add a book', exact: true }).waitFor();
    assert.equal(await page.title(), 'Add a book – Books');
    await page.waitForFunction(() => document.activeElement?.id === 'page-heading');
    assert.deepEqual(await focusOutline(), { id: 'page-heading', outline: 'none' });
    // Controls keep their frame.
    await page.keyboard.press('Tab');
    assert.deepEqual(await focusOutline(), { id: 'book-title', outline: 'solid' });

    await page.getByLabel('Title (required)').fill('Never added');
    await page.getByRole('link', { name: 'Cancel', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Books', exact: true }).waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0);
  });

  it('adds a book: checks required fields first, asks for the access token, shows the API errors and saves', async function () {
    await page.getByRole('link', { name: 'Add a book', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Add a book', exact: true }).waitFor();

    // An empty form is answered by the app itself: no request, so no token prompt yet.
    await page.getByRole('button', { name: 'Add book', exact: true }).click();
    const titleInput = page.getByLabel('Title (required)');
    await page.locator('#book-title[aria-invalid="true"]').waitFor();
    assert.equal(await page.locator('#title-error').innerText(), 'This field is required.');
    assert.equal(await page.locator('#author-error').innerText(), 'This field is required.');
    assert.equal(await focusedElementId(), 'book-title', 'focus moves to the first invalid field');
    assert.match((await titleInput.getAttribute('aria-describedby')) ?? '', /title-error/);
    assert.equal(await page.getByRole('dialog').count(), 0, 'no token prompt for a form that cannot be sent');
    await assertAccessible('on the form showing required-field errors');

    // A year that is not a number is sent as typed: the gateway answers 401, so the app asks for a token first.
    await titleInput.fill(title);
    await page.getByLabel('Author (required)').fill('Ursula K. Le Guin');
    await page.getByLabel('Year (optional)').fill('soon');
    await page.getByRole('button', { name: 'Add book', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Access token needed', exact: true });
    await dialog.waitFor();
    assert.equal(await focusedElementId(), 'token-input', 'the token field gets focus when the prompt opens');
    await assertAccessible('with the token dialog open');
    await dialog.getByLabel('Access token').fill(writeToken);
    await dialog.getByLabel('Access token').press('Enter'); // keyboard only: Enter submits the dialog's form
    await dialog.waitFor({ state: 'hidden' });

    // The retried write reaches books, which rejects the year; the error sits next to the field.
    await page.locator('#book-year[aria-invalid="true"]').waitFor();
    assert.match(await page.locator('#year-error').innerText(), /Must be a whole number\./);
    assert.equal(await focusedElementId(), 'book-year', 'focus moves to the field the API rejected');
    await assertAccessible('on the form showing the API validation errors');

    await page.getByLabel('Year (optional)').fill('1974');
    await page.getByRole('button', { name: 'Add book', exact: true }).click();

    await page.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
    await see(`Added “${title}”.`);
    await see('Ursula K. Le Guin');
    await see('1974');
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    await assertAccessible('on the book page');
  });

  it('edits the book without asking for the token again', async function () {
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    const titleInput = page.getByLabel('Title (required)');
    await titleInput.waitFor();
    assert.equal(await titleInput.inputValue(), title);
    await titleInput.fill(editedTitle);
    await page.getByLabel('Year (optional)').fill('1975');
    await page.getByRole('button', { name: 'Save changes', exact: true }).click();

    await page.getByRole('heading', { level: 1, name: editedTitle, exact: true }).waitFor();
    await see(`Saved changes to “${editedTitle}”.`);
    await see('1975');
    assert.equal(await page.getByRole('dialog').count(), 0, 'no token prompt: the session kept the token');
  });

  it('finds the book by searching', async function () {
    await page.getByRole('link', { name: 'All books', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Books', exact: true }).waitFor();
    await page.getByLabel('Search by title or author').fill(marker);
    await page.getByLabel('Search by title or author').press('Enter');

    await see(`Showing 1–1 of 1 book matching “${marker}”.`);
    assert.equal(await focusedElementId(), 'results-summary', 'focus moves to the result summary');
    await page.getByRole('link', { name: editedTitle, exact: true }).waitFor();
  });

  let bookUrl = '';
  it('deletes the book after confirmation', async function () {
    await page.getByRole('link', { name: editedTitle, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: editedTitle, exact: true }).waitFor();
    bookUrl = page.url();
    // Escape cancels the native modal dialog and focus returns to the Delete button.
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('alertdialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('alertdialog').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Delete');

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('alertdialog', { name: `Delete “${editedTitle}”?` });
    await confirm.waitFor();
    await assertAccessible('with the delete confirmation open');
    await confirm.getByRole('button', { name: 'Delete book', exact: true }).click();

    await page.getByRole('heading', { level: 1, name: 'Books', exact: true }).waitFor();
    await see(`Deleted “${editedTitle}”.`);

    await page.getByLabel('Search by title or author').fill(marker);
    await page.getByLabel('Search by title or author').press('Enter');
    await see(`No books match “${marker}”.`);
  });

  it("says the deleted book's page no longer exists, offering the way back rather than a retry", async function () {
    assert.notEqual(bookUrl, '', 'needs the book of the previous case');
    await page.goto(bookUrl);
    await page.getByRole('heading', { level: 1, name: 'Book not found', exact: true }).waitFor();
    await see('This book no longer exists: it may have been deleted, or the address is wrong.');
    assert.equal(await page.getByRole('button', { name: 'Try again' }).count(), 0);
    await assertAccessible('on a deleted book');
    await page.getByRole('link', { name: 'Back to all books', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Books', exact: true }).waitFor();
  });

  it('signs out, forgetting the token', async function () {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await see('Signed out. The access token was forgotten.');
    await see('Not signed in');
    assert.equal(await page.evaluate(() => window.sessionStorage.getItem('books.accessToken')), null);
  });

  it('ran the whole flow without uncaught errors or Content-Security-Policy violations', function () {
    assert.deepEqual(pageProblems, []);
  });
});

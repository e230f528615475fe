import { TestPostgres } from './postgres';

/**
 * One PostgreSQL per mocha run, booted by the first suite that asks and stopped by a root-level `after` hook
 * (registered on the root suite because this module is first loaded while mocha loads the spec files).
 * Each suite takes its own fresh database from it.
 */
let booting: Promise<TestPostgres> | undefined;

export function sharedPostgres(): Promise<TestPostgres> {
  booting ??= TestPostgres.boot();
  return booting;
}

after(async function () {
  this.timeout(30000);
  if (booting) await (await booting).shutdown();
});

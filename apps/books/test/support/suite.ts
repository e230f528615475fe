import type { Service } from '../../src/service';
import { apiClient, startTestService, waitReady, type Api } from './service';
import { sharedPostgres } from './shared-postgres';

/**
 * For a mocha suite: a service on a fresh database, started before the suite's tests and closed after them. Read
 * the handles inside tests (the `before` hook sets them).
 */
export function suiteService(): { service: Service; api: Api } {
  const handles = {} as { service: Service; api: Api };
  before(async function () {
    const postgres = await sharedPostgres();
    handles.service = await startTestService(await postgres.createDatabase());
    handles.api = apiClient(handles.service.url);
    await waitReady(handles.api);
  });
  after(async () => handles.service?.close());
  return handles;
}

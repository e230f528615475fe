import { startService, type Service, type ServiceConfig } from '../../src/service';

/** The service in-process on a random port, quiet unless a test wants its log lines. */
export async function startTestService(databaseUrl: string, overrides: Partial<ServiceConfig> = {}): Promise<Service> {
  return startService({
    port: 0,
    host: '127.0.0.1',
    databaseUrl,
    loadSample: false,
    poolMax: 5,
    logLevel: 'silent',
    ...overrides,
  });
}

/** Resolves once `check` returns true; fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 15000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, asserted field by field in tests
  body: any;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent verbatim (for malformed JSON, wrong content types, oversized bodies). */
  rawBody?: string;
  user?: string;
  headers?: Record<string, string>;
}

/** fetch against a base URL; JSON bodies in and out. */
export function apiClient(baseUrl: string) {
  return async function api(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    if (options.user !== undefined) headers['x-authenticated-user'] = options.user;
    const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('application/json') && text !== '')
      parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed };
  };
}

export type Api = ReturnType<typeof apiClient>;

export async function waitReady(api: Api): Promise<void> {
  await eventually(async () => (await api('GET', '/readyz')).status === 200, 20000, '/readyz to answer 200');
}

// HTTP load with node:http and a keep-alive agent, bounded by request count AND wall time: closed-loop (each worker
// sends its next request when the previous one is answered) or, with `ratePerSecond`, at a constant offered rate.
// Used by the failure drills (which need per-response hooks) and by the bench's sanity runs.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertLoopback } from '../../apps/books-reverse-proxy/bench/loopback';
import { countOutcome, summarizeLatencies, type LatencySummary, type OutcomeHistogram } from './stats';

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Free-form label carried to the response record (e.g. "read" / "write"). */
  kind?: string;
}

export interface ResponseRecord {
  index: number;
  request: LoadRequest;
  /** HTTP status, or undefined when the request failed at the socket level. */
  status?: number;
  /** Socket error code (ECONNRESET, ETIMEDOUT, …) when status is undefined. */
  errorCode?: string;
  body: string;
  startedAtMs: number;
  latencyMs: number;
}

export interface LoadOptions {
  /** Base URL; only loopback hosts are accepted. */
  baseUrl: string;
  concurrency: number;
  maxRequests: number;
  maxDurationMs: number;
  nextRequest: (index: number) => LoadRequest;
  /** A response counts as failed when this returns true; default: socket error or status outside 2xx. */
  isFailure?: (record: ResponseRecord) => boolean;
  onResponse?: (record: ResponseRecord) => void;
  /** Stops issuing new requests once aborted (in-flight ones complete). */
  signal?: AbortSignal;
  requestTimeoutMs?: number;
  /**
   * Constant offered rate (open loop): request k is due at start + k / ratePerSecond, however long earlier answers
   * took, and the due requests are spread over the `concurrency` workers. A free worker waits for its request's due
   * time; a request whose due time passed while every worker was busy is sent at once and counted as a late start.
   * Absent: closed loop.
   */
  ratePerSecond?: number;
}

/** How well a paced run kept its schedule. */
export interface PacingResult {
  offeredPerSecond: number;
  /** Requests over 1 ms overdue when a worker got to them (every worker was busy): queueing in the generator. */
  lateStarts: number;
  /** The longest any request was sent after its due time (late starts, timer and event-loop delay alike). */
  maxStartLagMs: number;
}

export interface LoadResult {
  requests: number;
  failures: number;
  durationMs: number;
  requestsPerSecond: number;
  latency: LatencySummary;
  outcomes: OutcomeHistogram;
  /** The first failed responses (at most 20), for the drill's printout. */
  failureSamples: ResponseRecord[];
  /** Idempotent requests resent once because the server had closed the reused keep-alive connection. */
  staleConnectionRetries: number;
  /** Only for a run with `ratePerSecond`. Latencies are measured from the actual send, not from the due time. */
  pacing?: PacingResult;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

interface SendOutcome {
  status?: number;
  errorCode?: string;
  body: string;
  /** The request failed before any response on a keep-alive connection reused from the pool. */
  staleConnection: boolean;
}

/** The timers' resolution: a worker that reaches a request less overdue than this was not queueing. */
const LATE_START_TOLERANCE_MS = 1;

const defaultIsFailure = (record: ResponseRecord): boolean =>
  record.status === undefined || record.status < 200 || record.status > 299;

function sendOne(agent: http.Agent, base: URL, request: LoadRequest, timeoutMs: number): Promise<SendOutcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    const req = http.request(
      { agent, host: base.hostname, port: base.port, method: request.method, path: request.path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), staleConnection: false }),
        );
        res.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ errorCode: error.code ?? 'ERESPONSE', body: '', staleConnection: false }),
        );
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    // `req.reusedSocket` is only set for sockets taken from the agent's free pool, not for one handed straight from
    // a finished response to the next queued request; a socket that has already read bytes is a kept-alive one.
    let keptAlive = false;
    req.on('socket', (socket) => {
      keptAlive = req.reusedSocket || socket.bytesRead > 0;
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({
        // Marked so a printout tells a fresh connection refused from a pooled one closed under us.
        errorCode: `${error.code ?? 'EREQUEST'}${keptAlive ? '(reused)' : '(new)'}`,
        body: '',
        staleConnection: keptAlive && (error.code === 'ECONNRESET' || error.code === 'EPIPE'),
      }),
    );
    req.end(request.body);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const base = assertLoopback(options.baseUrl);
  const rate = options.ratePerSecond;
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate)))
    throw new Error(`ratePerSecond must be > 0, not ${rate}`);
  const intervalMs = rate === undefined ? undefined : 1000 / rate;
  const isFailure = options.isFailure ?? defaultIsFailure;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  const outcomes: OutcomeHistogram = {};
  const failureSamples: ResponseRecord[] = [];
  let issued = 0;
  let failures = 0;
  let staleConnectionRetries = 0;
  let lateStarts = 0;
  let maxStartLagMs = 0;
  const started = performance.now();
  const deadline = started + options.maxDurationMs;

  const worker = async (): Promise<void> => {
    while (issued < options.maxRequests && performance.now() < deadline && !options.signal?.aborted) {
      const index = issued++;
      const dueAt = intervalMs === undefined ? undefined : started + index * intervalMs;
      if (dueAt !== undefined) {
        if (dueAt >= deadline) break;
        if (performance.now() - dueAt > LATE_START_TOLERANCE_MS) lateStarts++;
        // Timers run on the event loop's millisecond clock and may fire a fraction of a millisecond early.
        for (let waitMs = dueAt - performance.now(); waitMs > 0; waitMs = dueAt - performance.now())
          await sleep(waitMs);
        if (options.signal?.aborted) break;
      }
      const request = options.nextRequest(index);
      const startedAt = performance.now();
      if (dueAt !== undefined) maxStartLagMs = Math.max(maxStartLagMs, startedAt - dueAt);
      const timeoutMs = options.requestTimeoutMs ?? 10_000;
      let sent = await sendOne(agent, base, request, timeoutMs);
      // A server may close an idle keep-alive connection at any time (nginx does on reload); the request then
      // meets a closed socket before any answer. Like browsers and Node's documented `reusedSocket` pattern, an
      // idempotent request is resent; the next pooled socket may be stale too, so at most once per pooled socket
      // (plus one fresh). Every resend is counted and reported, never hidden.
      for (
        let resends = 0;
        sent.staleConnection && IDEMPOTENT.has(request.method) && resends <= options.concurrency;
        resends++
      ) {
        staleConnectionRetries++;
        sent = await sendOne(agent, base, request, timeoutMs);
      }
      const record: ResponseRecord = {
        index,
        request,
        status: sent.status,
        errorCode: sent.errorCode,
        body: sent.body,
        startedAtMs: startedAt - started,
        latencyMs: performance.now() - startedAt,
      };
      latencies.push(record.latencyMs);
      countOutcome(outcomes, record.status !== undefined ? String(record.status) : (record.errorCode ?? 'error'));
      if (isFailure(record)) {
        failures++;
        if (failureSamples.length < 20) failureSamples.push(record);
      }
      options.onResponse?.(record);
    }
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const durationMs = performance.now() - started;
  return {
    requests: latencies.length,
    failures,
    durationMs,
    requestsPerSecond: (latencies.length / durationMs) * 1000,
    latency: summarizeLatencies(latencies),
    outcomes,
    failureSamples,
    staleConnectionRetries,
    pacing: rate === undefined ? undefined : { offeredPerSecond: rate, lateStarts, maxStartLagMs },
  };
}

// The one tolerance the gateway-reload drill grants: nginx 1.22's graceful reload makes the old workers close their
// idle keep-alive connections, and a request written onto such a connection at that instant is reset before any
// answer. Everything else that fails is a failure. See the drills README ("gateway-reload") for the measurements.
import type { ResponseRecord } from '../../../../bench/lib/load';

/** At most this share of all requests may be tolerated resets (0.1 %). */
export const MAX_TOLERATED_RESET_SHARE = 0.001;

/**
 * A socket error raised on the request, i.e. before Node received a response head (the load library labels those
 * with the connection kind, `ECONNRESET(new)` / `ECONNRESET(reused)`; errors while a response was arriving carry no
 * label). The library exposes no byte count, so "before the response head" stands in for "before any response
 * byte"; on loopback a ~200-byte head arrives in one segment.
 */
const RESET_BEFORE_RESPONSE = /^(ECONNRESET|EPIPE)\((new|reused)\)$/;

const TOLERATED = 'tolerated reset (before any response, in the reload window)';

/** A failed record and its position among all answers (1-based), compared with the reload window. */
export interface NumberedFailure {
  record: ResponseRecord;
  answeredAs: number;
}

/** The answers numbered after `start` up to and including `end` arrived while the reloads ran. */
export interface ReloadWindow {
  start: number;
  end: number;
}

export interface ReloadFailureCounts {
  requests: number;
  toleratedResets: number;
  otherFailures: number;
  /** toleratedResets is at most MAX_TOLERATED_RESET_SHARE of requests. */
  withinBudget: boolean;
  /** e.g. {"tolerated reset (…): ECONNRESET(new)": 2, "failure: 502": 1} */
  byClass: Record<string, number>;
}

/** The drill's notion of success: a 2xx answer. */
export const failed = (record: ResponseRecord): boolean =>
  record.status === undefined || record.status < 200 || record.status > 299;

export function countReloadFailures(
  failures: readonly NumberedFailure[],
  requests: number,
  window: ReloadWindow,
): ReloadFailureCounts {
  const byClass: Record<string, number> = {};
  let toleratedResets = 0;
  for (const { record, answeredAs } of failures) {
    const inWindow = answeredAs > window.start && answeredAs <= window.end;
    const tolerated = inWindow && RESET_BEFORE_RESPONSE.test(record.errorCode ?? '');
    if (tolerated) toleratedResets++;
    const key = `${tolerated ? TOLERATED : 'failure'}: ${record.status ?? record.errorCode}`;
    byClass[key] = (byClass[key] ?? 0) + 1;
  }
  return {
    requests,
    toleratedResets,
    otherFailures: failures.length - toleratedResets,
    withinBudget: toleratedResets <= requests * MAX_TOLERATED_RESET_SHARE,
    byClass,
  };
}

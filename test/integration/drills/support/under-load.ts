// Runs an action (kill, reload, restart…) in the middle of a bounded load and keeps the load going until the
// action has finished and at least `minRequests` were answered.
import { runLoad, type LoadOptions, type LoadResult, type ResponseRecord } from '../../../../bench/lib/load';

export interface UnderLoadOptions extends Omit<LoadOptions, 'maxRequests' | 'signal' | 'onResponse'> {
  minRequests: number;
  /** Hard cap; reaching it before the action ends fails the drill. */
  maxRequests: number;
  /** The action starts once this many responses have arrived. */
  startActionAfter: number;
  action: () => Promise<void>;
  onResponse?: (record: ResponseRecord) => void;
}

export interface UnderLoadResult {
  load: LoadResult;
  /** Response count when the action started and when it ended. */
  actionStartedAt: number;
  actionEndedAt: number;
  actionMs: number;
}

export async function loadDuring(options: UnderLoadOptions): Promise<UnderLoadResult> {
  const { minRequests, startActionAfter, action, onResponse, ...load } = options;
  const stop = new AbortController();
  let answered = 0;
  let actionStartedAt = -1;
  let actionEndedAt = -1;
  let actionMs = 0;
  let actionDone: Promise<void> | undefined;

  const startAction = (): void => {
    actionStartedAt = answered;
    const began = performance.now();
    actionDone = action().finally(() => {
      actionEndedAt = answered;
      actionMs = performance.now() - began;
    });
    // If the action fails, stop the load at once; the error is rethrown below.
    actionDone.catch(() => stop.abort());
  };

  const result = await runLoad({
    ...load,
    signal: stop.signal,
    onResponse: (record) => {
      answered++;
      onResponse?.(record);
      if (answered === startActionAfter) startAction();
      if (actionEndedAt >= 0 && answered >= minRequests) stop.abort();
    },
  });
  if (actionDone === undefined) throw new Error(`the load ended after ${answered} responses, before the action began`);
  await actionDone;
  if (actionEndedAt < 0 || answered === actionEndedAt) {
    throw new Error(
      `the load ended (${answered} responses) before the action finished: raise maxRequests/maxDurationMs`,
    );
  }
  return { load: result, actionStartedAt, actionEndedAt, actionMs };
}

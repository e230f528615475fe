// Readiness as the suite defines it, checked against the cluster itself: pulumi-kubernetes may report a StatefulSet
// update complete while the old pod is still terminating (pulumi/pulumi-kubernetes#3329), so `up` returning is
// not proof that the new pods serve.
import { waitFor } from '../../../scripts/docker/process';
import type { Kube, KubeObject } from '../../e2e/lib/kube';

interface WorkloadStatus {
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  currentRevision?: string;
  updateRevision?: string;
}

interface PodStatus {
  phase?: string;
  conditions?: { type: string; status: string }[];
  containerStatuses?: { name: string; restartCount: number; image: string; imageID: string; ready: boolean }[];
}

export type Pod = KubeObject & {
  metadata: KubeObject['metadata'] & { deletionTimestamp?: string; uid: string };
  status?: PodStatus;
};

/** How long a rollout may take to settle on the local cluster (image pulls included). */
export const SETTLE_TIMEOUT_MS = 5 * 60_000;

export const podReady = (pod: Pod): boolean =>
  pod.status?.phase === 'Running' &&
  pod.metadata.deletionTimestamp === undefined &&
  (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Why a workload is not settled (every replica updated, ready and no old one left), or undefined when it is. */
function unsettled(workload: KubeObject): string | undefined {
  const spec = workload.spec as { replicas?: number };
  const status = (workload.status ?? {}) as WorkloadStatus;
  const want = spec.replicas ?? 1;
  const name = `${workload.kind}/${workload.metadata.name}`;
  if ((status.observedGeneration ?? 0) < (workload.metadata.generation ?? 0)) return `${name}: generation not observed`;
  if (status.replicas !== want) return `${name}: ${status.replicas ?? 0} pods for ${want} replicas`;
  if (status.updatedReplicas !== want) return `${name}: ${status.updatedReplicas ?? 0}/${want} updated`;
  if (status.readyReplicas !== want) return `${name}: ${status.readyReplicas ?? 0}/${want} ready`;
  if (workload.kind === 'StatefulSet' && status.currentRevision !== status.updateRevision)
    return `${name}: revision ${status.currentRevision} → ${status.updateRevision}`;
  return undefined;
}

/** Why the namespace is not there yet: workloads not rolled out and, for `settled`, pods not Ready (old ones too). */
async function pendingReasons(kube: Kube, namespace: string, state: 'rolled out' | 'settled'): Promise<string[]> {
  const workloads = [...(await kube.list('deployments', namespace)), ...(await kube.list('statefulsets', namespace))];
  const pods = state === 'settled' ? ((await kube.list('pods', namespace)) as Pod[]) : [];
  return [
    ...(workloads.length === 0 ? ['no workloads'] : []),
    ...workloads.map(unsettled).filter((reason): reason is string => reason !== undefined),
    ...pods.filter((pod) => !podReady(pod)).map((pod) => `pod ${pod.metadata.name} not Ready`),
  ];
}

async function waitUntil(kube: Kube, namespace: string, timeoutMs: number, state: 'rolled out' | 'settled') {
  let reasons: string[] = [];
  await waitFor(
    async () => {
      reasons = await pendingReasons(kube, namespace, state);
      return reasons.length === 0 ? true : undefined;
    },
    timeoutMs,
    () => `namespace ${namespace} not ${state} after ${timeoutMs / 1000} s: ${reasons.join('; ')}`,
    state === 'settled' ? 1000 : 250,
  );
}

/**
 * Waits until every Deployment and StatefulSet in the namespace has rolled out as `kubectl rollout status` means it
 * (every replica updated and Ready; pods still terminating are not counted), without waiting for old pods to go.
 */
export const waitRolledOut = (kube: Kube, namespace: string, timeoutMs: number): Promise<void> =>
  waitUntil(kube, namespace, timeoutMs, 'rolled out');

/** Why the namespace has not rolled out (as {@link waitRolledOut} means it) at this moment; empty when it has. */
export const rolloutPending = (kube: Kube, namespace: string): Promise<string[]> =>
  pendingReasons(kube, namespace, 'rolled out');

/** Waits until every Deployment and StatefulSet in the namespace is settled and every pod there Ready. */
export const waitSettled = (kube: Kube, namespace: string, timeoutMs: number): Promise<void> =>
  waitUntil(kube, namespace, timeoutMs, 'settled');

/** Waits until `url` answers 200 (a LoadBalancer address being patched in, a gateway after a rollout). */
export async function waitAnswering(url: string, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => ((await fetch(url).catch(() => null))?.status === 200 ? true : undefined),
    timeoutMs,
    () => `GET ${url} did not answer 200 within ${timeoutMs / 1000} s`,
    200,
  );
}

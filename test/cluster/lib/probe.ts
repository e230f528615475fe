// Short-lived probe pods and ephemeral containers that look at the cluster's network from inside: the node's own
// busybox image (scripts/cluster/node.sh), non-root, so they pass the restricted Pod Security Standard the
// platform's namespace enforces.
import { sleep, waitFor } from '../../../scripts/docker/process';
import type { Kube } from '../../e2e/lib/kube';

export const PROBE_IMAGE = 'books-cluster.local/probe:v1';
const PROBE_TIMEOUT_MS = 90_000;

interface Terminated {
  exitCode: number;
}

interface ProbePod {
  status?: {
    phase?: string;
    ephemeralContainerStatuses?: { name: string; state?: { terminated?: Terminated } }[];
  };
}

const restrictedContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/** Runs `script` (busybox sh) in a fresh pod; returns its exit code and output. The pod is deleted afterwards. */
export async function runProbePod(
  kube: Kube,
  options: { namespace: string; name: string; labels?: Record<string, string>; script: string },
): Promise<{ exitCode: number; output: string }> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels ?? {} },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'probe',
          image: PROBE_IMAGE,
          imagePullPolicy: 'Never',
          command: ['/bin/sh', '-c', options.script],
          securityContext: restrictedContext,
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
        },
      ],
    },
  };
  await kube.kubectl(['apply', '-f', '-'], JSON.stringify(pod));
  try {
    const phase = await waitFor(
      async () => {
        const status = (
          JSON.parse(
            await kube.kubectl(['get', 'pod', options.name, '-n', options.namespace, '-o', 'json']),
          ) as ProbePod
        ).status;
        return status?.phase === 'Succeeded' || status?.phase === 'Failed' ? status.phase : undefined;
      },
      PROBE_TIMEOUT_MS,
      () => `probe pod ${options.namespace}/${options.name} did not finish in ${PROBE_TIMEOUT_MS / 1000} s`,
      500,
    );
    const output = await kube.kubectl(['logs', options.name, '-n', options.namespace]);
    return { exitCode: phase === 'Succeeded' ? 0 : 1, output };
  } finally {
    await kube.kubectl(['delete', 'pod', options.name, '-n', options.namespace, '--wait=false', '--ignore-not-found']);
  }
}

let ephemeralCount = 0;

/**
 * Runs a command in an ephemeral container of a running pod (`kubectl debug`): it shares the pod's network
 * namespace, DNS settings and NetworkPolicies, without needing any tool in the app's own image.
 */
export async function runInPod(
  kube: Kube,
  namespace: string,
  pod: string,
  command: readonly string[],
): Promise<{ exitCode: number; output: string }> {
  const container = `probe-${Date.now().toString(36)}-${ephemeralCount++}`;
  await kube.kubectl([
    'debug',
    '-n',
    namespace,
    `pod/${pod}`,
    '--image',
    PROBE_IMAGE,
    '--image-pull-policy',
    'Never',
    '--profile',
    'restricted',
    '--container',
    container,
    '--',
    ...command,
  ]);
  const terminated = await waitFor(
    async () => {
      const status = (JSON.parse(await kube.kubectl(['get', 'pod', pod, '-n', namespace, '-o', 'json'])) as ProbePod)
        .status;
      return status?.ephemeralContainerStatuses?.find((s) => s.name === container)?.state?.terminated;
    },
    PROBE_TIMEOUT_MS,
    () => `ephemeral container ${container} in ${namespace}/${pod} did not finish`,
    500,
  );
  // The log of a just-terminated container can lag its status by a moment.
  await sleep(200);
  const output = await kube.kubectl(['logs', pod, '-n', namespace, '-c', container]);
  return { exitCode: terminated.exitCode, output };
}

/**
 * Pure builders for what every pod of the platform shares: labels, the Pod Security Standards
 * "restricted" security contexts, resources, spreading. No Pulumi resources here, so the tests and
 * the policy pack can reason about them without the engine.
 */
import { createHash, scrypt } from 'node:crypto';
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { ContainerSize } from '../stacks/targets';

export const partOf = 'books-platform';

/** The uid/gid every platform image runs as (docs/contracts.md). */
export const appUid = 10001;
/** The uid/gid of the `postgres` user in the official postgres images. */
export const postgresUid = 999;

type Labels = Record<string, string>;
type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type Resources = k8s.types.input.core.v1.ResourceRequirements;
type TopologySpreadConstraint = k8s.types.input.core.v1.TopologySpreadConstraint;

/** The immutable labels a Deployment/StatefulSet selects its pods by. */
export function selectorLabels(name: string): Labels {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': partOf };
}

/** Recommended labels for every object of a workload. */
export function workloadLabels(name: string, component: string): Labels {
  return {
    ...selectorLabels(name),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'pulumi',
  };
}

export function restrictedPodSecurityContext(uid: number): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    // Relabel a volume's files only when its root does not already belong to the group: a large database volume
    // would otherwise be walked on every pod start.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurityContext(uid: number): SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Node-local disk per container: its logs (the kubelet keeps up to 5 × 10 Mi) and its disk-backed emptyDirs (256 Mi
 * at most). Without a request the scheduler ignores disk; without a limit one pod can fill the node's and get others
 * evicted. The root filesystems are read-only, so nothing else writes there.
 */
export const ephemeralStorage = { request: '64Mi', limit: '512Mi' } as const;

export function containerResources(size: ContainerSize): Resources {
  return {
    requests: { cpu: size.cpuRequest, memory: size.memoryRequest, 'ephemeral-storage': ephemeralStorage.request },
    limits: { cpu: size.cpuLimit, memory: size.memoryLimit, 'ephemeral-storage': ephemeralStorage.limit },
  };
}

/** imagePullSecrets of a pod: omitted when there are none. */
export function pullSecretRefs(names: readonly pulumi.Input<string>[]): { name: pulumi.Input<string> }[] | undefined {
  return names.length === 0 ? undefined : names.map((name) => ({ name }));
}

/** Spread replicas over nodes when there are several; a single-node cluster still schedules them. */
export function spreadOverNodes(name: string): TopologySpreadConstraint[] {
  return [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: selectorLabels(name) },
    },
  ];
}

/** Pod-template annotation value that changes whenever the given content does (rolls the pods). */
export function contentChecksum(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * A fingerprint of a credential that may be shown in plain text: scrypt (memory-hard) rather than a fast hash, so
 * the annotation cannot be turned back into the password by guessing. Plain text matters: a Pulumi secret anywhere
 * in a pod template makes the whole `spec` secret, and every preview would show `[secret]` instead of the diff.
 * Asynchronous: the ≈ 0.1 s of scrypt runs on libuv's thread pool while the program goes on registering resources,
 * instead of holding every `pulumi preview` and `up` for it.
 */
export function credentialFingerprint(credential: string): Promise<string> {
  // By hand: util.promisify(scrypt) is typed after the overload without options (3 arguments, Promise<unknown>).
  return new Promise((resolve, reject) => {
    scrypt(
      credential,
      'books-platform/database-credential',
      32,
      { N: 1 << 15, r: 8, p: 1, maxmem: 64 << 20 },
      (error, key) => (error ? reject(error) : resolve(key.toString('hex'))),
    );
  });
}

/** Pod Security Admission labels that make the namespace reject anything below "restricted". */
export function restrictedNamespaceLabels(): Labels {
  return {
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/audit': 'restricted',
  };
}

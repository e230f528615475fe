// A Kubernetes API for the program: kwokctl's binary runtime runs etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok-controller as local processes from the toolchain cache (every binary given, so kwokctl
// downloads nothing). kwok fakes the nodes and pod readiness; nothing assigns LoadBalancer addresses.
import { join } from 'node:path';
import { run } from '../../../scripts/docker/process';
import type { Toolchain } from './toolchain';

export interface Cluster {
  name: string;
  kubeconfig: string;
  context: string;
  /** Environment for kubectl/kwokctl calls against this cluster. */
  env: NodeJS.ProcessEnv;
}

export async function createCluster(
  name: string,
  workDir: string,
  toolchain: Toolchain,
  env: NodeJS.ProcessEnv,
): Promise<Cluster> {
  const kubeconfig = join(workDir, 'kubeconfig');
  const clusterEnv = { ...env, KWOK_WORKDIR: join(workDir, 'kwok'), KUBECONFIG: kubeconfig };
  const k8s = (bin: string) => join(toolchain.kubernetes, bin);
  await run(
    join(toolchain.kwok, 'kwokctl'),
    [
      'create',
      'cluster',
      '--name',
      name,
      '--runtime',
      'binary',
      '--kubeconfig',
      kubeconfig,
      '--wait',
      '3m',
      '--etcd-binary',
      join(toolchain.etcd, 'etcd'),
      '--kube-apiserver-binary',
      k8s('kube-apiserver'),
      '--kube-controller-manager-binary',
      k8s('kube-controller-manager'),
      '--kube-scheduler-binary',
      k8s('kube-scheduler'),
      '--kwok-controller-binary',
      join(toolchain.kwok, 'kwok'),
    ],
    { env: clusterEnv, timeoutMs: 240_000 },
  );
  // Fake nodes for the scheduler to bind pods to; kwok then marks those pods Running and Ready. Four, half of them
  // relabelled arm64 (kwok's template says amd64): a mixed cluster, where the arm64 stack's pods (node selector
  // kubernetes.io/arch from the build platform) must find nodes of their own.
  await run(join(toolchain.kwok, 'kwokctl'), ['--name', name, 'scale', 'node', '--replicas', '4'], {
    env: clusterEnv,
    timeoutMs: 60_000,
  });
  const kubectl = (args: string[]) =>
    run(k8s('kubectl'), ['--kubeconfig', kubeconfig, ...args], { env: clusterEnv, timeoutMs: 60_000 });
  const nodes = (await kubectl(['get', 'nodes', '--output', 'name'])).stdout.trim().split('\n').sort();
  await kubectl([
    'label',
    '--overwrite',
    ...nodes.slice(0, 2),
    'kubernetes.io/arch=arm64',
    'beta.kubernetes.io/arch=arm64',
  ]);
  // kwok's node template reports no ephemeral storage, and every container requests some (as kubelets report it on
  // real nodes): without it the scheduler finds no node ("Insufficient ephemeral-storage").
  const storage = { 'ephemeral-storage': '100Gi' };
  for (const node of nodes) {
    await kubectl([
      'patch',
      node,
      '--subresource',
      'status',
      '--type',
      'merge',
      '--patch',
      JSON.stringify({ status: { capacity: storage, allocatable: storage } }),
    ]);
  }
  return { name, kubeconfig, context: `kwok-${name}`, env: clusterEnv };
}

export async function deleteCluster(cluster: Cluster, toolchain: Toolchain): Promise<void> {
  await run(join(toolchain.kwok, 'kwokctl'), ['delete', 'cluster', '--name', cluster.name], {
    env: cluster.env,
    timeoutMs: 120_000,
    allowFailure: true,
  });
}

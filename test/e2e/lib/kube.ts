// Reads objects straight from the API server with kubectl (the toolchain's own), as JSON.
import { join } from 'node:path';
import { run } from '../../../scripts/docker/process';
import type { Cluster } from './cluster';
import type { Toolchain } from './toolchain';

export interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
  type?: string;
}

export class Kube {
  constructor(
    private readonly cluster: Cluster,
    private readonly toolchain: Toolchain,
  ) {}

  /** kubectl against the cluster; `input` goes to its stdin (e.g. a manifest for `apply -f -`). */
  async kubectl(args: readonly string[], input?: string, timeoutMs = 60_000): Promise<string> {
    const result = await run(join(this.toolchain.kubernetes, 'kubectl'), ['--context', this.cluster.context, ...args], {
      env: this.cluster.env,
      timeoutMs,
      input,
    });
    return result.stdout;
  }

  /**
   * A shell script as a user's CI job runs it: this kubectl first on PATH, the cluster's kubeconfig, and its context
   * as `KUBE_CONTEXT` (deploy.yml's name for it), plus `env`.
   */
  async shell(script: string, env: Readonly<Record<string, string>>, timeoutMs = 60_000): Promise<string> {
    const result = await run('bash', ['-euo', 'pipefail', '-c', script], {
      env: {
        ...this.cluster.env,
        ...env,
        KUBE_CONTEXT: this.cluster.context,
        PATH: `${this.toolchain.kubernetes}:${process.env.PATH ?? ''}`,
      },
      timeoutMs,
    });
    return result.stdout;
  }

  async list(kind: string, namespace: string): Promise<KubeObject[]> {
    const out = await this.kubectl(['get', kind, '--namespace', namespace, '--output', 'json']);
    return (JSON.parse(out) as { items: KubeObject[] }).items;
  }

  /** Every namespaced object of the common kinds, for "nothing left" checks. */
  async everything(namespace: string): Promise<string[]> {
    const kinds =
      'deployments,replicasets,pods,services,configmaps,secrets,networkpolicies,poddisruptionbudgets,statefulsets,persistentvolumeclaims,serviceaccounts,roles,rolebindings';
    const out = await this.kubectl(['get', kinds, '--namespace', namespace, '--output', 'name', '--ignore-not-found']);
    return out.split('\n').filter((line) => line.trim() !== '');
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    const out = await this.kubectl(['get', 'namespace', namespace, '--output', 'name', '--ignore-not-found']);
    return out.trim() !== '';
  }
}

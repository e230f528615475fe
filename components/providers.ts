/**
 * The one Kubernetes provider and the one Docker provider, from stack config only. Their arguments
 * are plain config values (a context name, a kubeconfig path), never computed, so a stack's
 * provider — and everything under it — is not replaced between runs.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as docker from '@pulumi/docker';
import * as k8s from '@pulumi/kubernetes';
import type { StackConfig } from '../stacks/config';

export function kubernetesProvider(config: StackConfig): k8s.Provider {
  const { context, kubeconfig, clusterIdentifier, deleteUnreachable } = config.kubernetes;
  return new k8s.Provider('kubernetes', {
    context,
    kubeconfig,
    clusterIdentifier,
    deleteUnreachable: deleteUnreachable || undefined,
  });
}

/**
 * The engine that builds: `docker.host`/`docker.certPath` when set, else DOCKER_HOST/DOCKER_CERT_PATH (what
 * `minikube docker-env` exports). No `docker.context`: the provider accepts one, but its Image builds ignore it.
 * A leading `~/` in certPath is expanded here so one stack file serves every user; only images hang
 * off this provider, and they are rebuilt from the same content if it is ever replaced.
 */
export function dockerProvider(config: StackConfig): docker.Provider {
  const { host, certPath } = config.images.docker;
  return new docker.Provider('docker', { host, certPath: certPath && expandHome(certPath) });
}

export function expandHome(file: string): string {
  return file.startsWith('~/') ? path.join(os.homedir(), file.slice(2)) : file;
}

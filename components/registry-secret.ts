import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { RegistryConfig } from '../stacks/config';
import { workloadLabels } from './pod-spec';

/** The pull Secret the program creates from the stack's registry credentials. */
export const registrySecretName = 'books-registry';

/** `.dockerconfigjson` for one registry, as `kubectl create secret docker-registry` writes it. */
export function dockerConfigJson(server: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}

export interface RegistrySecretArgs {
  namespace: pulumi.Input<string>;
  registry: RegistryConfig & { username: string; password: string };
}

/**
 * The kubernetes.io/dockerconfigjson Secret every pod that pulls a project image lists in
 * imagePullSecrets. Created in the namespace the program creates, so it never has to exist before
 * the first `pulumi up`; its content is a Pulumi secret (the password is one in the stack).
 */
export class RegistrySecret extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: RegistrySecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super('books-platform:index:RegistrySecret', name, {}, opts);
    const { server, username, password } = args.registry;
    const secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: {
          name: registrySecretName,
          namespace: args.namespace,
          labels: workloadLabels(registrySecretName, 'registry-credentials'),
        },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': pulumi.secret(dockerConfigJson(server, username, password)) },
      },
      { parent: this, additionalSecretOutputs: ['data', 'stringData'] },
    );
    this.name = secret.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}

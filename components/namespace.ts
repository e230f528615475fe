import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { partOf, restrictedNamespaceLabels } from './pod-spec';

export interface PlatformNamespaceArgs {
  name: string;
  /** Leave the namespace (and the database volume claims in it) in the cluster on destroy or a rename. */
  retainOnDelete: boolean;
}

/** The platform's namespace, enforcing Pod Security Standards "restricted" on every pod in it. */
export class PlatformNamespace extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: PlatformNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('books-platform:index:PlatformNamespace', name, {}, opts);
    const namespace = new k8s.core.v1.Namespace(
      name,
      {
        metadata: {
          name: args.name,
          labels: { ...restrictedNamespaceLabels(), 'app.kubernetes.io/part-of': partOf },
        },
      },
      { parent: this, retainOnDelete: args.retainOnDelete },
    );
    this.name = namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}

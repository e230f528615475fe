import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { workloadLabels } from './pod-spec';

type Labels = Record<string, string>;
type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

export interface NetworkPoliciesArgs {
  namespace: string;
  /** The gateway's workload name (its policy's name), pods and ports. */
  gateway: { name: string; pods: Labels; publicPorts: number[]; metricsPort: number };
  /** Upstreams that only the gateway may call. */
  upstreams: { name: string; pods: Labels; port: number }[];
  /** PostgreSQL pods (in-cluster database only) and the pods allowed to reach them. */
  database: { pods: Labels; port: number; clients: Labels } | undefined;
  /** Namespace whose pods may scrape the gateway's metrics, besides this namespace. */
  monitoringNamespace: string | undefined;
}

/** One named NetworkPolicy spec per rule, so the rules read as a table (and test without the engine). */
export function networkPolicySpecs(args: NetworkPoliciesArgs): Record<string, NetworkPolicySpec> {
  const tcp = (port: number) => ({ protocol: 'TCP', port });
  const metricsPeers: k8s.types.input.networking.v1.NetworkPolicyPeer[] = [{ podSelector: {} }];
  if (args.monitoringNamespace !== undefined) {
    metricsPeers.push({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': args.monitoringNamespace } },
    });
  }
  const specs: Record<string, NetworkPolicySpec> = {
    'default-deny-ingress': { podSelector: {}, policyTypes: ['Ingress'], ingress: [] },
    [args.gateway.name]: {
      podSelector: { matchLabels: args.gateway.pods },
      policyTypes: ['Ingress'],
      ingress: [
        { ports: args.gateway.publicPorts.map(tcp) },
        { from: metricsPeers, ports: [tcp(args.gateway.metricsPort)] },
      ],
    },
  };
  for (const upstream of args.upstreams) {
    specs[upstream.name] = {
      podSelector: { matchLabels: upstream.pods },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: args.gateway.pods } }], ports: [tcp(upstream.port)] }],
    };
  }
  if (args.database) {
    specs['books-postgres'] = {
      podSelector: { matchLabels: args.database.pods },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: args.database.clients } }], ports: [tcp(args.database.port)] }],
    };
  }
  return specs;
}

/**
 * Ingress is denied by default in the namespace; each workload admits only its callers. The
 * gateway is the only workload that accepts traffic from anywhere, and only on its HTTP(S) port.
 */
export class NetworkPolicies extends pulumi.ComponentResource {
  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('books-platform:index:NetworkPolicies', name, {}, opts);
    for (const [policyName, spec] of Object.entries(networkPolicySpecs(args))) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${policyName}`,
        {
          metadata: {
            name: policyName,
            namespace: args.namespace,
            labels: workloadLabels(policyName, 'network-policy'),
          },
          spec,
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}

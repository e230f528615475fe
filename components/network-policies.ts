import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { workloadLabels } from './pod-spec';

type Labels = Record<string, string>;
type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

export interface NetworkPoliciesArgs {
  namespace: string;
  /** The gateway's workload name (its policy's name), pods and ports. */
  gateway: { name: string; pods: Labels; publicPorts: number[]; metricsPort: number };
  /** Upstreams that only the gateway may call; `metrics`: it serves /metrics on that port too. */
  upstreams: { name: string; pods: Labels; port: number; metrics: boolean }[];
  /**
   * The database's clients and server: the in-cluster PostgreSQL pods, or none for an external database (then the
   * clients may reach any address on its port: its address is not known here).
   */
  database: { pods: Labels | undefined; port: number; clients: Labels };
  /** Namespace whose pods may scrape the metrics, besides this namespace. */
  monitoringNamespace: string | undefined;
}

/** The cluster DNS every pod resolves Service names with (CoreDNS keeps the kube-dns label on every target). */
export const clusterDns: NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

/** One named NetworkPolicy spec per rule, so the rules read as a table (and test without the engine). */
export function networkPolicySpecs(args: NetworkPoliciesArgs): Record<string, NetworkPolicySpec> {
  const tcp = (port: number) => ({ protocol: 'TCP', port });
  const pods = (labels: Labels): NetworkPolicyPeer => ({ podSelector: { matchLabels: labels } });
  const monitoring: NetworkPolicyPeer[] =
    args.monitoringNamespace === undefined
      ? []
      : [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': args.monitoringNamespace } } }];
  const specs: Record<string, NetworkPolicySpec> = {
    'default-deny-ingress': { podSelector: {}, policyTypes: ['Ingress'], ingress: [] },
    'default-deny-egress': { podSelector: {}, policyTypes: ['Egress'], egress: [] },
    'cluster-dns-egress': {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [clusterDns], ports: [{ protocol: 'UDP', port: 53 }, tcp(53)] }],
    },
    [args.gateway.name]: {
      podSelector: { matchLabels: args.gateway.pods },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { ports: args.gateway.publicPorts.map(tcp) },
        { from: [{ podSelector: {} }, ...monitoring], ports: [tcp(args.gateway.metricsPort)] },
      ],
      egress: args.upstreams.map((upstream) => ({ to: [pods(upstream.pods)], ports: [tcp(upstream.port)] })),
    },
  };
  for (const upstream of args.upstreams) {
    const scrapers = upstream.metrics ? monitoring : [];
    specs[upstream.name] = {
      podSelector: { matchLabels: upstream.pods },
      policyTypes: ['Ingress'],
      ingress: [{ from: [pods(args.gateway.pods), ...scrapers], ports: [tcp(upstream.port)] }],
    };
  }
  const { database } = args;
  specs['database-clients-egress'] = {
    podSelector: { matchLabels: database.clients },
    policyTypes: ['Egress'],
    egress: [
      database.pods === undefined
        ? { ports: [tcp(database.port)] }
        : { to: [pods(database.pods)], ports: [tcp(database.port)] },
    ],
  };
  if (database.pods !== undefined) {
    specs['books-postgres'] = {
      podSelector: { matchLabels: database.pods },
      policyTypes: ['Ingress'],
      ingress: [{ from: [pods(database.clients)], ports: [tcp(database.port)] }],
    };
  }
  return specs;
}

/**
 * Ingress and egress are denied by default in the namespace; each workload admits only its callers and reaches only
 * what it calls (every pod: the cluster DNS). The gateway is the only workload that accepts traffic from anywhere,
 * and only on its HTTP(S) ports.
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

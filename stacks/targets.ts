/**
 * The ONE table of what differs between the clusters the platform deploys to. A stack file
 * (Pulumi.<stack>.yaml) names its target and sets only what differs from this table; everything
 * else comes from here. docs/configuration.md renders its per-target column from this table.
 */

export const targetNames = ['docker-desktop', 'minikube', 'k3s', 'aks', 'eks', 'gke'] as const;
export type TargetName = (typeof targetNames)[number];

export const gatewayServiceTypes = ['LoadBalancer', 'NodePort', 'ClusterIP'] as const;
export type GatewayServiceType = (typeof gatewayServiceTypes)[number];

export interface ContainerSize {
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
}

export interface WorkloadSizes {
  books: ContainerSize;
  booksReact: ContainerSize;
  gateway: ContainerSize;
  postgres: ContainerSize;
}

export interface TargetDefaults {
  /** kubeconfig context; undefined = the user must name it (cloud contexts are per account). */
  kubeContext: string | undefined;
  /** Whether images go to a registry (true) or stay in the engine the cluster reads (false). */
  pushImages: boolean;
  /** `docker build --platform`; undefined = the build engine's own architecture. */
  platform: string | undefined;
  gatewayServiceType: GatewayServiceType;
  /** Service port of the gateway; k3s's bundled Traefik already holds 80/443 on every node. */
  gatewayPort: number;
  /** Service port of the gateway's HTTPS listener, published beside gatewayPort when TLS is configured. */
  gatewayTlsPort: number;
  /**
   * Annotations of the gateway's LoadBalancer Service: what makes the target's load balancer pass the client's
   * address on (with externalTrafficPolicy Local), so per-client limits stay per client.
   */
  gatewayServiceAnnotations: Readonly<Record<string, string>>;
  /** Whether the target assigns a LoadBalancer address Pulumi can wait for. */
  awaitGatewayAddress: boolean;
  /** Node address for the gateway URL of a NodePort gateway (the Service status gives none). */
  publicHost: string | undefined;
  storageSize: string;
  /**
   * StorageClass of the PostgreSQL volume, named rather than left to a default: EKS ≥ 1.30 marks none as default.
   * `npm run preflight` checks it exists.
   */
  storageClass: string;
  /**
   * Keep the database on `pulumi destroy` or a namespace change (retainOnDelete on the namespace, the StatefulSet and
   * its Secret; PVCs retained): true where the data is worth more than a clean teardown.
   */
  retainDatabase: boolean;
  sizes: WorkloadSizes;
}

const laptopSizes: WorkloadSizes = {
  books: { cpuRequest: '50m', memoryRequest: '96Mi', cpuLimit: '500m', memoryLimit: '256Mi' },
  booksReact: { cpuRequest: '25m', memoryRequest: '64Mi', cpuLimit: '250m', memoryLimit: '128Mi' },
  gateway: { cpuRequest: '25m', memoryRequest: '32Mi', cpuLimit: '250m', memoryLimit: '128Mi' },
  postgres: { cpuRequest: '50m', memoryRequest: '128Mi', cpuLimit: '500m', memoryLimit: '512Mi' },
};

/** A Raspberry Pi has 1–8 GiB shared by every node component: keep requests small. */
const raspberryPiSizes: WorkloadSizes = {
  books: { cpuRequest: '25m', memoryRequest: '64Mi', cpuLimit: '500m', memoryLimit: '192Mi' },
  booksReact: { cpuRequest: '10m', memoryRequest: '48Mi', cpuLimit: '200m', memoryLimit: '96Mi' },
  gateway: { cpuRequest: '10m', memoryRequest: '24Mi', cpuLimit: '200m', memoryLimit: '96Mi' },
  postgres: { cpuRequest: '50m', memoryRequest: '96Mi', cpuLimit: '500m', memoryLimit: '384Mi' },
};

const cloudSizes: WorkloadSizes = {
  books: { cpuRequest: '100m', memoryRequest: '128Mi', cpuLimit: '1', memoryLimit: '384Mi' },
  booksReact: { cpuRequest: '50m', memoryRequest: '64Mi', cpuLimit: '500m', memoryLimit: '192Mi' },
  gateway: { cpuRequest: '100m', memoryRequest: '64Mi', cpuLimit: '1', memoryLimit: '192Mi' },
  postgres: { cpuRequest: '250m', memoryRequest: '256Mi', cpuLimit: '1', memoryLimit: '1Gi' },
};

/** What AKS, EKS and GKE share; their registries come from stack config. */
const managedCloud = {
  kubeContext: undefined,
  pushImages: true,
  platform: 'linux/amd64',
  gatewayServiceType: 'LoadBalancer',
  gatewayPort: 80,
  gatewayTlsPort: 443,
  awaitGatewayAddress: true,
  publicHost: undefined,
  storageSize: '5Gi',
  retainDatabase: true,
  sizes: cloudSizes,
} as const;

export const targetDefaults: Readonly<Record<TargetName, TargetDefaults>> = {
  'docker-desktop': {
    kubeContext: 'docker-desktop',
    pushImages: false,
    platform: undefined,
    gatewayServiceType: 'LoadBalancer',
    gatewayPort: 80,
    gatewayTlsPort: 443,
    // vpnkit forwards localhost: every client is the host.
    gatewayServiceAnnotations: {},
    awaitGatewayAddress: true,
    publicHost: undefined,
    storageSize: '1Gi',
    storageClass: 'hostpath',
    retainDatabase: false,
    sizes: laptopSizes,
  },
  minikube: {
    kubeContext: 'minikube',
    pushImages: false,
    platform: undefined,
    // A LoadBalancer stays pending without `minikube tunnel` (see gateway.tunnel).
    gatewayServiceType: 'NodePort',
    gatewayPort: 80,
    gatewayTlsPort: 443,
    gatewayServiceAnnotations: {},
    awaitGatewayAddress: false,
    // The docker driver's fixed node address (`minikube ip`), reachable from a Linux host only.
    publicHost: '192.168.49.2',
    storageSize: '1Gi',
    storageClass: 'standard',
    retainDatabase: false,
    sizes: laptopSizes,
  },
  k3s: {
    kubeContext: 'default',
    pushImages: true,
    platform: 'linux/arm64',
    gatewayServiceType: 'LoadBalancer',
    gatewayPort: 8080,
    gatewayTlsPort: 8443,
    // ServiceLB (klipper-lb) forwards to the node with the pod; Local keeps the client's address.
    gatewayServiceAnnotations: {},
    awaitGatewayAddress: true,
    publicHost: undefined,
    storageSize: '2Gi',
    storageClass: 'local-path',
    retainDatabase: true,
    sizes: raspberryPiSizes,
  },
  // Azure's L4 load balancer passes packets through: with Local the pod sees the client's address.
  aks: { ...managedCloud, gatewayServiceAnnotations: {}, storageClass: 'managed-csi' },
  // The default Classic ELB proxies TCP and hides the client; an NLB (instance targets, Local) preserves it.
  eks: {
    ...managedCloud,
    gatewayServiceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
    // The in-tree gp2 class, provisioned by the EBS CSI driver (an add-on the EKS guide installs).
    storageClass: 'gp2',
  },
  // GKE's L4 (passthrough) load balancer keeps the client's address with Local.
  gke: { ...managedCloud, gatewayServiceAnnotations: {}, storageClass: 'standard-rwo' },
};

/**
 * The gateway's external URL as the target gives it: a LoadBalancer's IP (AKS, GKE, k3s
 * ServiceLB) or host name (EKS, Docker Desktop's `localhost`), a node address + node port
 * (minikube), or the in-cluster name when nothing outside can reach it.
 */
import type { GatewayServiceType } from '../stacks/targets';

export interface GatewayEndpoint {
  serviceType: GatewayServiceType;
  serviceName: string;
  namespace: string;
  port: number;
  nodePort: number | undefined;
  tls: boolean;
  /** Overrides whatever the Service status says (a DNS name in front of the cluster, a node IP). */
  publicHost: string | undefined;
  /** `status.loadBalancer.ingress` of the Service, when the target filled it in. */
  ingress: readonly { ip?: string; hostname?: string }[] | undefined;
}

export function gatewayUrl(endpoint: GatewayEndpoint): string {
  const scheme = endpoint.tls ? 'https' : 'http';
  const inCluster = `${endpoint.serviceName}.${endpoint.namespace}.svc.cluster.local`;
  const address = endpoint.ingress?.find((entry) => entry.hostname || entry.ip);
  const [host, port] = (() => {
    switch (endpoint.serviceType) {
      case 'LoadBalancer':
        return [endpoint.publicHost ?? address?.hostname ?? address?.ip ?? inCluster, endpoint.port];
      case 'NodePort':
        return [endpoint.publicHost ?? 'localhost', endpoint.nodePort ?? endpoint.port];
      case 'ClusterIP':
        return [inCluster, endpoint.port];
    }
  })();
  const defaultPort = endpoint.tls ? 443 : 80;
  return `${scheme}://${host}${port === defaultPort ? '' : `:${port}`}`;
}

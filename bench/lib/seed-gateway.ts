// The original design's gateway, for the bench's cluster section (issue #16 target 2): stock nginx with a
// two-location proxy_pass config (`/` → books-react-service:3000, `/books` → books-service:5000, no upstream
// keepalive), run as a pod beside ours and reached the same way (a LoadBalancer Service, kube-proxy). A second
// variant adds only upstream keepalive, so the bench can say what keepalive alone gives over the seed.
import { dockerConfigJson, registrySecretName } from '../../components/registry-secret';
import { routeBackend } from '../../components/upstreams';
import type { ContainerSize } from '../../stacks/targets';

export interface SeedVariant {
  /** Deployment, Service and ConfigMap name; also the pods' `app` label. */
  readonly name: string;
  readonly keepalive: boolean;
  /** The LoadBalancer Service's port (the node's address is shared with our gateway's). */
  readonly servicePort: number;
}

export const SEED_VARIANTS = {
  seed: { name: 'seed-gateway', keepalive: false, servicePort: 8081 },
  keepalive: { name: 'seed-gateway-keepalive', keepalive: true, servicePort: 8082 },
} as const satisfies Record<string, SeedVariant>;

/** The namespace the seed gateways run in: stock nginx's master runs as root, which the platform's namespace refuses. */
export const SEED_NAMESPACE = 'books-seed';

/** `host:port` of each route's Service, as the seed config names them. */
export function seedUpstreams(): { books: string; web: string } {
  const address = (route: string): string => {
    const backend = routeBackend(route);
    return `${backend.service}:${backend.port}`;
  };
  return { books: address('books'), web: address('web') };
}

/**
 * The seed's conf.d/default.conf: one server, two locations. With `keepalive`, each location goes through an upstream
 * block keeping idle connections (HTTP/1.1, no `Connection: close`) — the one change our gateway also makes there.
 */
export function seedGatewayConf(options: { listen: string; books: string; web: string; keepalive: boolean }): string {
  const locations = [
    { path: '/', upstream: 'web', address: options.web },
    { path: '/books', upstream: 'books', address: options.books },
  ];
  if (!options.keepalive) {
    return [
      'server {',
      `    listen ${options.listen};`,
      ...locations.map(({ path, address }) => `    location ${path} {\n        proxy_pass http://${address};\n    }`),
      '}',
      '',
    ].join('\n');
  }
  return [
    ...locations.map(({ upstream, address }) => `upstream ${upstream} {\n    server ${address};\n    keepalive 32;\n}`),
    'server {',
    `    listen ${options.listen};`,
    ...locations.map(
      ({ path, upstream }) =>
        `    location ${path} {\n        proxy_pass http://${upstream};\n        proxy_http_version 1.1;\n        proxy_set_header Connection "";\n    }`,
    ),
    '}',
    '',
  ].join('\n');
}

export interface SeedManifestArgs {
  /** The platform's namespace (its Services are found through the pods' DNS search list). */
  appsNamespace: string;
  image: string;
  /** The registry the image is pulled from, with the stack's credentials (the same pull Secret as the program's). */
  registry: { server: string; username: string; password: string };
  /** The same container size as our gateway's, so neither proxy gets more CPU. */
  size: ContainerSize;
}

type Manifest = Record<string, unknown>;

/** Every object the seed gateways need, in apply order. */
export function seedGatewayManifests(args: SeedManifestArgs): Manifest[] {
  const upstreams = seedUpstreams();
  const perVariant = Object.values(SEED_VARIANTS).flatMap((variant): Manifest[] => {
    const labels = { app: variant.name };
    return [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: variant.name, namespace: SEED_NAMESPACE },
        data: { 'default.conf': seedGatewayConf({ listen: '80', keepalive: variant.keepalive, ...upstreams }) },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: variant.name, namespace: SEED_NAMESPACE, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              imagePullSecrets: [{ name: registrySecretName }],
              // The seed config names the Services without a namespace, as pods in their namespace would.
              dnsConfig: { searches: [`${args.appsNamespace}.svc.cluster.local`] },
              containers: [
                {
                  name: 'nginx',
                  image: args.image,
                  ports: [{ name: 'http', containerPort: 80 }],
                  readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 2 },
                  resources: {
                    requests: { cpu: args.size.cpuRequest, memory: args.size.memoryRequest },
                    limits: { cpu: args.size.cpuLimit, memory: args.size.memoryLimit },
                  },
                  volumeMounts: [{ name: 'conf', mountPath: '/etc/nginx/conf.d', readOnly: true }],
                },
              ],
              volumes: [{ name: 'conf', configMap: { name: variant.name } }],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: variant.name, namespace: SEED_NAMESPACE },
        spec: {
          type: 'LoadBalancer',
          selector: labels,
          ports: [{ name: 'http', port: variant.servicePort, targetPort: 'http' }],
        },
      },
    ];
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SEED_NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/dockerconfigjson',
      metadata: { name: registrySecretName, namespace: SEED_NAMESPACE },
      stringData: {
        '.dockerconfigjson': dockerConfigJson(args.registry.server, args.registry.username, args.registry.password),
      },
    },
    ...perVariant,
    {
      // The platform's policies admit only our gateway to the backends' ports; this one admits the seed gateways too.
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'bench-seed-gateways', namespace: args.appsNamespace },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': SEED_NAMESPACE } } }],
            ports: ['books', 'web'].map((route) => ({ protocol: 'TCP', port: routeBackend(route).port })),
          },
        ],
      },
    },
  ];
}

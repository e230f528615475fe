/**
 * Render options the unit tests check textually and the nginx suite feeds to `nginx -t`: every config the tests
 * render must be one nginx accepts.
 */
import { defaultGatewayOptions, type GatewayRenderOptions, type Route } from '../src/render';

const defaults = defaultGatewayOptions();

export const staticAddresses = { books: ['127.0.0.1:5000', '127.0.0.1:5001'], web: ['127.0.0.1:3000'] };

export const authorsRoute: Route = {
  name: 'authors',
  pathPrefix: '/api/authors',
  backend: { service: 'authors-service', port: 7000 },
  auth: { methods: ['PUT'], scope: 'authors:admin' },
};

export interface RenderCase {
  readonly name: string;
  readonly options: GatewayRenderOptions;
}

export const renderCases: readonly RenderCase[] = [
  { name: 'defaults (Kubernetes DNS, no TLS)', options: defaults },
  {
    name: 'TLS termination',
    options: {
      ...defaults,
      tls: {
        port: 8443,
        certificateFile: '/etc/gateway/tls/tls.crt',
        keyFile: '/etc/gateway/tls/tls.key',
        redirectPort: 443,
      },
    },
  },
  {
    name: 'static replicas behind trusted proxies',
    options: {
      ...defaults,
      listenAddress: '127.0.0.1',
      backends: { kind: 'static', addresses: staticAddresses },
      trustedProxies: ['10.0.0.0/8', '192.168.0.0/16'],
    },
  },
  {
    name: 'an added service with its own scope',
    options: {
      ...defaults,
      routes: [authorsRoute, ...defaults.routes],
      backends: { kind: 'static', addresses: { ...staticAddresses, authors: ['127.0.0.1:7000'] } },
    },
  },
  {
    name: 'all routes public, no metrics',
    options: {
      ...defaults,
      routes: defaults.routes.map((route) => ({ ...route, auth: null })),
      metrics: null,
    },
  },
  {
    name: 'tight limits and custom DNS',
    options: {
      ...defaults,
      backends: {
        kind: 'dns',
        namespace: 'staging',
        clusterDomain: 'example.internal',
        hosts: { web: 'web.example.test.' },
        resolver: '127.0.0.1:5353',
        refreshSeconds: 0.5,
        copiesPerAddress: 1,
      },
      limits: {
        ...defaults.limits,
        requestsPerSecond: 2,
        burst: 0,
        connectionsPerClient: 1,
        maxBodySize: '1k',
        maxHeaderLineSize: '1k',
      },
      jwt: { ...defaults.jwt, algorithms: ['RS256'] },
    },
  },
];

/**
 * The books platform: config → images → database → services → gateway → outputs.
 * Everything a stack varies is in Pulumi.<stack>.yaml, over the per-target table in stacks/targets.ts.
 */
import './components/compile-cache';
import { AppImage } from './components/app-image';
import { Database } from './components/database';
import { preStopSleepSeconds, shutdownSeconds } from './components/drain';
import { Gateway } from './components/gateway';
import { NetworkPolicies } from './components/network-policies';
import { PlatformNamespace } from './components/namespace';
import { RegistrySecret } from './components/registry-secret';
import { dockerProvider, kubernetesProvider } from './components/providers';
import { routeBackend } from './components/upstreams';
import { WebService } from './components/web-service';
import { loadStackConfig } from './stacks/load';

// Config: validated once; an invalid stack stops here, before any resource is registered.
const config = loadStackConfig();
const kubernetes = kubernetesProvider(config);
const docker = dockerProvider(config);

// Images.
const appImage = (app: string) =>
  new AppImage(app, { app, projectDir: __dirname, images: config.images }, { providers: { docker } });
const images = {
  books: appImage('books'),
  booksReact: appImage('books-react'),
  gateway: appImage('books-reverse-proxy'),
};

const inCluster = { providers: { kubernetes } };
// The namespace holds the database's volume claims: kept whenever the database is (database.retain).
const retainDatabase = config.database.kind === 'in-cluster' && config.database.retain;
const namespace = new PlatformNamespace(
  'namespace',
  { name: config.namespace, retainOnDelete: retainDatabase },
  inCluster,
);
const withinNamespace = { ...inCluster, dependsOn: [namespace] };

// Pull credentials: every pod that runs a project image (or the database image) lists them.
const registry = config.images.registry;
const registrySecret =
  registry?.username !== undefined && registry.password !== undefined
    ? new RegistrySecret(
        'registry',
        {
          namespace: config.namespace,
          registry: { ...registry, username: registry.username, password: registry.password },
        },
        withinNamespace,
      )
    : undefined;
const imagePullSecrets = [
  ...(registrySecret ? [registrySecret.name] : []),
  ...(config.images.pullSecret !== undefined ? [config.images.pullSecret] : []),
];

// Database.
const database = new Database(
  'database',
  { namespace: config.namespace, database: config.database, size: config.sizes.postgres, imagePullSecrets },
  withinNamespace,
);

// Services, named and numbered as the gateway's route table says.
const booksBackend = routeBackend('books');
const webBackend = routeBackend('web');
const books = new WebService(
  'books',
  {
    name: 'books',
    component: 'api',
    namespace: config.namespace,
    image: images.books.ref,
    imagePullPolicy: images.books.imagePullPolicy,
    imagePullSecrets,
    nodeArch: images.books.nodeArch,
    replicas: config.replicas.books,
    size: config.sizes.books,
    containerPorts: [{ name: 'http', port: booksBackend.port }],
    probePort: 'http',
    livenessPath: '/healthz',
    readinessPath: '/readyz',
    env: [
      { name: 'PORT', value: String(booksBackend.port) },
      { name: 'HOST', value: '0.0.0.0' },
      { name: 'LOG_LEVEL', value: config.books.logLevel },
      { name: 'BOOKS_LOAD_SAMPLE', value: String(config.books.loadSampleData) },
      { name: 'SHUTDOWN_TIMEOUT_MS', value: String(shutdownSeconds.books * 1000) },
      ...database.clientEnv,
    ],
    // PGPASSWORD / DATABASE_URL are read at start: a changed credential rolls books.
    podAnnotations: database.clientPodAnnotations,
    drain: { preStopSleepSeconds: preStopSleepSeconds.books, shutdownSeconds: shutdownSeconds.books },
    service: { name: booksBackend.service, type: 'ClusterIP', ports: [{ name: 'http', port: booksBackend.port }] },
  },
  { ...withinNamespace, dependsOn: [namespace, database] },
);
const booksReact = new WebService(
  'books-react',
  {
    name: 'books-react',
    component: 'web',
    namespace: config.namespace,
    image: images.booksReact.ref,
    imagePullPolicy: images.booksReact.imagePullPolicy,
    imagePullSecrets,
    nodeArch: images.booksReact.nodeArch,
    replicas: config.replicas.booksReact,
    size: config.sizes.booksReact,
    containerPorts: [{ name: 'http', port: webBackend.port }],
    probePort: 'http',
    readinessPath: '/healthz',
    env: [{ name: 'PORT', value: String(webBackend.port) }],
    drain: { preStopSleepSeconds: preStopSleepSeconds.booksReact, shutdownSeconds: shutdownSeconds.booksReact },
    service: { name: webBackend.service, type: 'ClusterIP', ports: [{ name: 'http', port: webBackend.port }] },
  },
  withinNamespace,
);

// Gateway: the only Service reachable from outside.
const gateway = new Gateway(
  'gateway',
  {
    namespace: config.namespace,
    gateway: config.gateway,
    image: images.gateway.ref,
    imagePullPolicy: images.gateway.imagePullPolicy,
    imagePullSecrets,
    nodeArch: images.gateway.nodeArch,
    replicas: config.replicas.gateway,
    size: config.sizes.gateway,
  },
  { ...withinNamespace, dependsOn: [namespace, books, booksReact] },
);

new NetworkPolicies(
  'network',
  {
    namespace: config.namespace,
    gateway: {
      name: gateway.workloadName,
      pods: gateway.podSelector,
      publicPorts: gateway.publicPorts,
      metricsPort: gateway.metricsPort,
    },
    upstreams: [
      { name: 'books', pods: books.podSelector, port: booksBackend.port, metrics: true },
      { name: 'books-react', pods: booksReact.podSelector, port: webBackend.port, metrics: false },
    ],
    database: { pods: database.podSelector, port: database.port, clients: books.podSelector },
    monitoringNamespace: config.gateway.monitoringNamespace,
  },
  withinNamespace,
);

// Outputs.
export const gatewayUrl = gateway.url;
export const namespaceName = namespace.name;
export const imageRefs = { books: images.books.ref, booksReact: images.booksReact.ref, gateway: images.gateway.ref };
export const target = config.target;

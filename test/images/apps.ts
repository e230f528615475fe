// The images under test and how the program runs them: one table of what differs between them. Names, ports, env,
// users and mounts come from the program's own components, so the containers run as the program deploys the pods.
import { databaseNames } from '../../components/database';
import { gatewayNames, gatewayPorts } from '../../components/gateway';
import { postgresUid } from '../../components/pod-spec';
import { REPO_ROOT } from './paths';

export type AppName = 'books' | 'books-react' | 'books-reverse-proxy';

/** Non-root user every app image runs as (docs/contracts.md). */
export const APP_USER = '10001:10001';
/** The Kubernetes namespace the program deploys to by default; Services answer as `<svc>.<ns>.svc.cluster.local` too. */
export const NAMESPACE = 'books';
const MB = 1_000_000;

/**
 * Issue #16 target 4, on amd64 and arm64 (a Raspberry Pi pulls these over Wi-Fi to an SD card): books at most 0.6 ×
 * its size then (287.9 MB), the gateway at most 100 MB. Reported per arch by `npm run bench` (images section).
 */
export const LEAN_IMAGE_TARGETS: Readonly<Partial<Record<AppName, { maxBytes: number; rule: string }>>> = {
  books: { maxBytes: 0.6 * 287.9 * MB, rule: '0.6 × 287.9 MB' },
  'books-reverse-proxy': { maxBytes: 100 * MB, rule: '100 MB' },
};

export interface AppImage {
  name: AppName;
  /** Build context (docs/contracts.md: apps/<name>, Dockerfile inside). */
  context: string;
  /** Size bound in bytes, the same on every architecture. */
  maxSizeBytes: number;
  sizeRule: string;
  /** Kubernetes Service name = network alias; undefined for the gateway (published instead). */
  service: string | undefined;
  replicas: number;
  port: number;
  healthPath: string;
}

export const APPS: readonly AppImage[] = [
  {
    name: 'books',
    context: `${REPO_ROOT}/apps/books`,
    // Met since books runs on node alone (the node binary and the libraries it links, no Debian userland).
    maxSizeBytes: LEAN_IMAGE_TARGETS.books!.maxBytes,
    sizeRule: `${LEAN_IMAGE_TARGETS.books!.rule} (issue #16)`,
    service: 'books-service',
    replicas: 2,
    port: 5000,
    healthPath: '/healthz',
  },
  {
    name: 'books-react',
    context: `${REPO_ROOT}/apps/books-react`,
    maxSizeBytes: 60 * MB,
    sizeRule: '60 MB',
    service: 'books-react-service',
    replicas: 2,
    port: 3000,
    healthPath: '/healthz',
  },
  {
    name: 'books-reverse-proxy',
    context: `${REPO_ROOT}/apps/books-reverse-proxy`,
    // Met since the gateway runs on no base (nginx, njs, gatewayd and the libraries they link).
    maxSizeBytes: LEAN_IMAGE_TARGETS['books-reverse-proxy']!.maxBytes,
    sizeRule: `${LEAN_IMAGE_TARGETS['books-reverse-proxy']!.rule} (issue #16)`,
    service: undefined,
    replicas: 1,
    port: gatewayPorts.http,
    healthPath: '/healthz',
  },
];

export function app(name: AppName): AppImage {
  const found = APPS.find((a) => a.name === name);
  if (!found) throw new Error(`no app ${name}`);
  return found;
}

/** Aliases a container answers to on the test network: the Service name and its cluster FQDN. */
export function serviceAliases(service: string): string[] {
  return [service, `${service}.${NAMESPACE}.svc.cluster.local`];
}

export const DATABASE = {
  service: databaseNames.service,
  port: databaseNames.port,
  user: databaseNames.user,
  database: databaseNames.database,
  uid: postgresUid,
  dataDir: '/var/lib/postgresql/data',
} as const;

export const GATEWAY_MOUNTS = {
  configFile: gatewayNames.configFile,
  jwtDir: gatewayNames.jwtDir,
  tempDir: '/tmp',
} as const;

/**
 * Stack configuration: raw Pulumi config map → one typed, validated object, or one error naming
 * every offending key. Pure (no Pulumi runtime), so the e2e harness builds its stack config
 * through the very same rules. The program calls it once, before registering any resource.
 */
import { z } from 'zod';
import { defaultGatewayOptions } from '../apps/books-reverse-proxy/src/options';
import { RawStackConfig, secretConfigKeys, stackConfigSchema } from './schema';
import {
  ContainerSize,
  GatewayServiceType,
  TargetDefaults,
  TargetName,
  WorkloadSizes,
  targetDefaults,
} from './targets';

export const defaultProject = 'books-platform';

const gatewayImageDefaults = defaultGatewayOptions();

/** Values every target shares (docs/contracts.md; the gateway's own defaults for its limits and tokens). */
export const sharedDefaults = {
  namespace: 'books',
  repository: 'books-platform',
  replicas: 2,
  rateLimit: {
    requestsPerSecond: gatewayImageDefaults.limits.requestsPerSecond,
    burst: gatewayImageDefaults.limits.burst,
  },
  jwtIssuer: gatewayImageDefaults.jwt.issuer,
  jwtAudience: gatewayImageDefaults.jwt.audience,
  postgresImage: 'postgres:17.6-bookworm',
  logLevel: 'info',
} as const;

export interface RegistryConfig {
  server: string;
  /** undefined: the docker provider uses the Docker config file / credential helpers. */
  username: string | undefined;
  password: string | undefined;
}

export interface ImagesConfig {
  push: boolean;
  platform: string | undefined;
  /** Repository prefix: `<server>/<repository>/<app>` when pushed, `<repository>/<app>` locally. */
  repository: string;
  registry: RegistryConfig | undefined;
  /** imagePullSecret of every app pod, for registries the nodes cannot pull from on their own. */
  pullSecret: string | undefined;
  buildArgs: Readonly<Record<string, string>>;
  docker: { host?: string; certPath?: string };
}

export interface GatewayConfig {
  serviceType: GatewayServiceType;
  /** Service port of plain HTTP (the redirect to HTTPS when TLS is configured). */
  port: number;
  /** Service port of HTTPS, published beside `port` when `tlsSecret` is set. */
  tlsPort: number;
  nodePort: number | undefined;
  /** Annotations of a LoadBalancer Service (the target's, from the per-target table). */
  serviceAnnotations: Readonly<Record<string, string>>;
  awaitAddress: boolean;
  publicHost: string | undefined;
  tlsSecret: string | undefined;
  monitoringNamespace: string | undefined;
  /**
   * CIDRs whose X-Forwarded-For names the client (empty: the peer address is the client). The
   * resolver always sets it; optional only because test/images/platform.ts builds a GatewayConfig
   * by hand without it.
   */
  trustedProxies?: readonly string[];
  rateLimit: { requestsPerSecond: number; burst: number };
  jwt: { hs256Key: string | undefined; rs256PublicKey: string | undefined; issuer: string; audience: string };
}

export type DatabaseConfig =
  | {
      kind: 'in-cluster';
      password: string;
      image: string;
      storageSize: string;
      storageClass: string;
      /** Keep the data on destroy / namespace change (retainOnDelete). */
      retain: boolean;
    }
  | { kind: 'external'; url: string };

export interface StackConfig {
  project: string;
  target: TargetName;
  kubernetes: {
    context: string | undefined;
    kubeconfig: string | undefined;
    clusterIdentifier: string | undefined;
    deleteUnreachable: boolean;
  };
  namespace: string;
  images: ImagesConfig;
  replicas: { books: number; booksReact: number; gateway: number };
  gateway: GatewayConfig;
  database: DatabaseConfig;
  sizes: WorkloadSizes;
  books: { logLevel: string; loadSampleData: boolean };
}

export interface ConfigIssue {
  /** Full config key, e.g. `books-platform:registry.server`. */
  key: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid stack configuration (nothing was deployed):\n` +
        issues.map((issue) => `  ${issue.key}: ${issue.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export interface ParseOptions {
  /** Config namespace; the Pulumi project name. */
  project?: string;
  /**
   * Full top-level keys Pulumi holds as secrets (PULUMI_CONFIG_SECRET_KEYS). When given, every
   * key in `secretConfigKeys` that is set must live under one of them.
   */
  secretKeys?: readonly string[];
  /** `pulumi preview`: registry credentials are not needed, nothing is pushed. */
  dryRun?: boolean;
}

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; error: ConfigError };

/**
 * Validates a raw Pulumi config map (`{"books-platform:target": "k3s", "books-platform:registry":
 * "{\"server\":…}"}`, as `pulumi.runtime.allConfig()` returns it) and resolves target defaults.
 */
export function parseStackConfig(raw: Readonly<Record<string, string>>, options: ParseOptions = {}): ParseResult {
  const project = options.project ?? defaultProject;
  const keyOf = (path: readonly PropertyKey[]) => `${project}:${configPath(path)}`;
  const decoded = decodeProjectConfig(raw, project);
  const shape = stackConfigSchema.safeParse(decoded);
  if (!shape.success) {
    return { ok: false, error: new ConfigError(shape.error.issues.flatMap((issue) => describeIssue(issue, keyOf))) };
  }
  const issues: ConfigIssue[] = [];
  const report = (path: string, message: string) => issues.push({ key: `${project}:${path}`, message });
  const config = resolve(shape.data, project, report, options);
  if (options.secretKeys) checkSecrets(shape.data, project, options.secretKeys, report);
  return issues.length > 0 ? { ok: false, error: new ConfigError(issues) } : { ok: true, config };
}

/** Throwing form of parseStackConfig. */
export function requireStackConfig(raw: Readonly<Record<string, string>>, options: ParseOptions = {}): StackConfig {
  const result = parseStackConfig(raw, options);
  if (!result.ok) throw result.error;
  return result.config;
}

/** A schema path as `pulumi config set --path` spells it: `gateway.trustedProxies[1]`. */
function configPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index > 0 ? '.' : ''}${String(key)}`))
    .join('');
}

function decodeProjectConfig(raw: Readonly<Record<string, string>>, project: string): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(raw)) {
    if (!fullKey.startsWith(`${project}:`)) continue;
    decoded[fullKey.slice(project.length + 1)] = decodeValue(value);
  }
  return decoded;
}

/** Structured values (`pulumi config set --path`) arrive as JSON; scalars as plain strings. */
function decodeValue(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function describeIssue(issue: z.core.$ZodIssue, keyOf: (path: readonly PropertyKey[]) => string): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((unknownKey) => ({
      key: keyOf([...issue.path, unknownKey]),
      message: 'unknown key (see docs/configuration.md for the keys this program reads)',
    }));
  }
  if (issue.code === 'invalid_type' && issue.expected === 'object') {
    return [{ key: keyOf(issue.path), message: 'expected an object (set its fields with `pulumi config set --path`)' }];
  }
  return [{ key: keyOf(issue.path), message: issue.message }];
}

function resolve(
  raw: RawStackConfig,
  project: string,
  report: (path: string, message: string) => void,
  options: ParseOptions,
): StackConfig {
  const defaults: TargetDefaults = targetDefaults[raw.target];
  const target = raw.target;

  const context = raw.kubernetes?.context ?? defaults.kubeContext;
  if (context === undefined) {
    report(
      'kubernetes.context',
      `required for target ${target}: the kubeconfig context of your cluster (e.g. the one \`${credentialsCommand[target]}\` wrote)`,
    );
  }

  if (raw.kubernetes?.deleteUnreachable === true && defaults.pushImages) {
    report(
      'kubernetes.deleteUnreachable',
      `only for laptop clusters (docker-desktop, minikube) that were deleted: on ${target} an unreachable API server ` +
        'is more likely a network problem, and the state of every resource would be dropped',
    );
  }
  const images = resolveImages(raw, defaults, target, report, options);
  const gateway = resolveGateway(raw, defaults, target, report);
  const database = resolveDatabase(raw, defaults, project, report);
  const sizes = resolveSizes(raw, defaults.sizes, report);

  return {
    project,
    target,
    kubernetes: {
      context,
      kubeconfig: raw.kubernetes?.kubeconfig,
      clusterIdentifier: raw.kubernetes?.clusterIdentifier,
      deleteUnreachable: raw.kubernetes?.deleteUnreachable ?? false,
    },
    namespace: raw.namespace ?? sharedDefaults.namespace,
    images,
    replicas: {
      books: raw.replicas?.books ?? sharedDefaults.replicas,
      booksReact: raw.replicas?.booksReact ?? sharedDefaults.replicas,
      gateway: raw.replicas?.gateway ?? sharedDefaults.replicas,
    },
    gateway,
    database,
    sizes,
    books: {
      logLevel: raw.books?.logLevel ?? sharedDefaults.logLevel,
      loadSampleData: raw.books?.loadSampleData ?? false,
    },
  };
}

const credentialsCommand: Record<TargetName, string> = {
  'docker-desktop': 'Docker Desktop',
  minikube: 'minikube start',
  k3s: '/etc/rancher/k3s/k3s.yaml',
  aks: 'az aks get-credentials',
  eks: 'aws eks update-kubeconfig',
  gke: 'gcloud container clusters get-credentials',
};

function resolveImages(
  raw: RawStackConfig,
  defaults: TargetDefaults,
  target: TargetName,
  report: (path: string, message: string) => void,
  options: ParseOptions,
): ImagesConfig {
  const registry = raw.registry ?? {};
  const push = defaults.pushImages;
  if (!push) {
    for (const key of ['server', 'username', 'password', 'credentialHelper', 'pullSecret'] as const) {
      if (registry[key] !== undefined) {
        report(
          `registry.${key}`,
          `target ${target} does not push images (the cluster reads the build engine's store); remove this key`,
        );
      }
    }
  } else if (registry.server === undefined) {
    report(
      'registry.server',
      `required for target ${target}: the registry the cluster pulls from (${registryKind[target]}), \`pulumi config set --path registry.server <host[:port]>\``,
    );
  }
  if ((registry.username === undefined) !== (registry.password === undefined)) {
    const missing = registry.username === undefined ? 'registry.username' : 'registry.password';
    report(
      missing,
      'registry.username and registry.password go together (set both, or neither and registry.credentialHelper: true)',
    );
  } else if (registry.username !== undefined && registry.credentialHelper === true) {
    report(
      'registry.credentialHelper',
      'set either registry.username + registry.password, or registry.credentialHelper: true, not both',
    );
  } else if (
    push &&
    !options.dryRun &&
    registry.username === undefined &&
    registry.credentialHelper !== true &&
    registry.server !== undefined
  ) {
    report(
      'registry.password',
      'required to push (not for preview): `pulumi config set --path registry.username <user>` and ' +
        '`pulumi config set --secret --path registry.password <token>`, or `pulumi config set --path registry.credentialHelper true` ' +
        "to use your Docker config's credential helper",
    );
  }
  if (!push && raw.platform !== undefined) {
    report('platform', `target ${target} runs images built for the local engine's own architecture; remove this key`);
  }
  const buildArgs: Record<string, string> = {};
  if (raw.images?.baseImage !== undefined) buildArgs.BASE_IMAGE = raw.images.baseImage;
  if (raw.images?.nodeImage !== undefined) buildArgs.NODE_IMAGE = raw.images.nodeImage;
  return {
    push,
    platform: raw.platform ?? defaults.platform,
    repository: registry.repository ?? sharedDefaults.repository,
    registry:
      push && registry.server !== undefined
        ? { server: registry.server, username: registry.username, password: registry.password }
        : undefined,
    pullSecret: registry.pullSecret,
    buildArgs,
    docker: { ...raw.docker },
  };
}

const registryKind: Record<TargetName, string> = {
  'docker-desktop': 'none',
  minikube: 'none',
  k3s: 'one every node can pull from, listed in /etc/rancher/k3s/registries.yaml if private',
  aks: 'your Azure Container Registry',
  eks: 'your ECR registry',
  gke: 'your Artifact Registry host; the repository is <project>/<repo>',
};

function resolveGateway(
  raw: RawStackConfig,
  defaults: TargetDefaults,
  target: TargetName,
  report: (path: string, message: string) => void,
): GatewayConfig {
  const gateway = raw.gateway ?? {};
  const tunnel = gateway.tunnel ?? false;
  if (gateway.tunnel !== undefined && target !== 'minikube') {
    report('gateway.tunnel', `only applies to target minikube (\`minikube tunnel\`); remove it for ${target}`);
  }
  const serviceType: GatewayServiceType =
    gateway.serviceType ?? (tunnel ? 'LoadBalancer' : defaults.gatewayServiceType);
  if (target === 'minikube' && serviceType === 'LoadBalancer' && !tunnel) {
    report(
      'gateway.serviceType',
      'LoadBalancer on minikube stays pending without `minikube tunnel`: set gateway.tunnel: true (and run the tunnel) or use NodePort',
    );
  }
  // Without Traefik, k3s's ServiceLB can give the gateway the standard ports.
  const traefikFree = gateway.traefikDisabled === true;
  const port = gateway.port ?? (traefikFree ? 80 : defaults.gatewayPort);
  const tlsPort = gateway.tlsPort ?? (traefikFree ? 443 : defaults.gatewayTlsPort);
  if (gateway.traefikDisabled !== undefined && target !== 'k3s') {
    report('gateway.traefikDisabled', `only applies to target k3s (its bundled Traefik); remove it for ${target}`);
  }
  if (target === 'k3s' && serviceType === 'LoadBalancer' && !traefikFree) {
    for (const [key, value] of [
      ['gateway.port', port],
      ['gateway.tlsPort', tlsPort],
    ] as const) {
      if (value !== 80 && value !== 443) continue;
      report(
        key,
        "k3s's bundled Traefik holds ports 80 and 443 on every node, so a LoadBalancer there stays pending: use another port " +
          '(defaults 8080/8443), or install k3s with --disable=traefik and set gateway.traefikDisabled: true',
      );
    }
  }
  if (gateway.tlsPort !== undefined && gateway.tlsSecret === undefined) {
    report('gateway.tlsPort', 'only applies with gateway.tlsSecret (HTTPS)');
  }
  if (gateway.tlsSecret !== undefined && tlsPort === port) {
    report('gateway.tlsPort', `must differ from gateway.port (${port}): both listeners are published`);
  }
  if (gateway.nodePort !== undefined && serviceType !== 'NodePort' && serviceType !== 'LoadBalancer') {
    report(
      'gateway.nodePort',
      `only applies to NodePort or LoadBalancer Services (gateway.serviceType is ${serviceType})`,
    );
  }
  const jwt = gateway.jwt ?? {};
  if (jwt.hs256Key === undefined && jwt.rs256PublicKey === undefined) {
    report(
      'gateway.jwt.hs256Key',
      'the gateway needs a token key: `pulumi config set --secret --path gateway.jwt.hs256Key <32+ random characters>` ' +
        'and/or `pulumi config set --path gateway.jwt.rs256PublicKey < public.pem`',
    );
  }
  return {
    serviceType,
    port,
    tlsPort,
    serviceAnnotations: serviceType === 'LoadBalancer' ? defaults.gatewayServiceAnnotations : {},
    nodePort: gateway.nodePort ?? (serviceType === 'NodePort' ? 30080 : undefined),
    awaitAddress: gateway.awaitAddress ?? (tunnel || defaults.awaitGatewayAddress),
    // The table's host is a node address: right for a NodePort, not for a tunnel's LoadBalancer.
    publicHost: gateway.publicHost ?? (serviceType === 'NodePort' ? defaults.publicHost : undefined),
    tlsSecret: gateway.tlsSecret,
    monitoringNamespace: gateway.monitoringNamespace,
    trustedProxies: gateway.trustedProxies ?? [],
    rateLimit: {
      requestsPerSecond: gateway.rateLimit?.requestsPerSecond ?? sharedDefaults.rateLimit.requestsPerSecond,
      burst: gateway.rateLimit?.burst ?? sharedDefaults.rateLimit.burst,
    },
    jwt: {
      hs256Key: jwt.hs256Key,
      rs256PublicKey: jwt.rs256PublicKey,
      issuer: jwt.issuer ?? sharedDefaults.jwtIssuer,
      audience: jwt.audience ?? sharedDefaults.jwtAudience,
    },
  };
}

function resolveDatabase(
  raw: RawStackConfig,
  defaults: TargetDefaults,
  project: string,
  report: (path: string, message: string) => void,
): DatabaseConfig {
  const database = raw.database ?? {};
  if (database.url !== undefined) {
    for (const key of ['password', 'image', 'storageSize', 'storageClass', 'retain'] as const) {
      if (database[key] !== undefined)
        report(`database.${key}`, 'only applies to the in-cluster database; remove it or remove database.url');
    }
    return { kind: 'external', url: database.url };
  }
  if (database.password === undefined) {
    report(
      'database.password',
      `required for the in-cluster PostgreSQL (or set database.url for an external one): ` +
        `\`pulumi config set --secret --path database.password "$(openssl rand -base64 24)"\` (project ${project})`,
    );
  }
  return {
    kind: 'in-cluster',
    password: database.password ?? '',
    image: database.image ?? sharedDefaults.postgresImage,
    storageSize: database.storageSize ?? defaults.storageSize,
    storageClass: database.storageClass ?? defaults.storageClass,
    retain: database.retain ?? defaults.retainDatabase,
  };
}

function resolveSizes(
  raw: RawStackConfig,
  defaults: WorkloadSizes,
  report: (path: string, message: string) => void,
): WorkloadSizes {
  const sizes = {} as WorkloadSizes;
  for (const workload of Object.keys(defaults) as (keyof WorkloadSizes)[]) {
    const size: ContainerSize = { ...defaults[workload], ...definedOnly(raw.resources?.[workload] ?? {}) };
    if (cpuMillis(size.cpuRequest) > cpuMillis(size.cpuLimit)) {
      report(`resources.${workload}.cpuRequest`, `${size.cpuRequest} exceeds the CPU limit ${size.cpuLimit}`);
    }
    if (memoryBytes(size.memoryRequest) > memoryBytes(size.memoryLimit)) {
      report(
        `resources.${workload}.memoryRequest`,
        `${size.memoryRequest} exceeds the memory limit ${size.memoryLimit}`,
      );
    }
    sizes[workload] = size;
  }
  return sizes;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Quantities as validated by the schema (`250m`, `1`, `1.5`). */
export function cpuMillis(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

const memoryUnits: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Quantities as validated by the schema (`128Mi`, `1Gi`). */
export function memoryBytes(quantity: string): number {
  const unit = quantity.slice(-2);
  return Number(quantity.slice(0, -2)) * (memoryUnits[unit] ?? Number.NaN);
}

function checkSecrets(
  raw: RawStackConfig,
  project: string,
  secretKeys: readonly string[],
  report: (path: string, message: string) => void,
): void {
  for (const path of secretConfigKeys) {
    const [section] = path.split('.');
    if (valueAt(raw, path) === undefined || secretKeys.includes(`${project}:${section}`)) continue;
    report(path, `holds a credential in plaintext: set it with \`pulumi config set --secret --path ${path} <value>\``);
  }
}

function valueAt(root: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      root,
    );
}

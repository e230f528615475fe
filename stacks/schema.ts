/**
 * The stack configuration's shape: what each key may hold, before target defaults are applied.
 * Every key is optional except `target`; defaults come from stacks/targets.ts.
 */
import { z } from 'zod';
import { gatewayServiceTypes, targetNames } from './targets';

/** Pulumi hands top-level scalars over as strings; `--path` values keep their YAML type. */
const integer = (min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value),
    z
      .number({ error: `expected an integer from ${min} to ${max}` })
      .int()
      .min(min)
      .max(max),
  );

const boolean = z.preprocess(
  (value) => (value === 'true' ? true : value === 'false' ? false : value),
  z.boolean({ error: 'expected true or false' }),
);

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** What the gateway accepts in an nginx.conf string for iss/aud (apps/books-reverse-proxy/src/validate.ts). */
const tokenClaim = z.string().regex(/^[A-Za-z0-9 ._:/@+=-]+$/, 'expected letters, digits, spaces and ._:/@+=- only');

/** RFC 1123 label: namespaces and similar. */
const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "expected a DNS label: lower-case letters, digits and '-', at most 63 characters",
  );

/** RFC 1123 subdomain: Secret names, StorageClass names. */
const dnsName = z
  .string()
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'expected a Kubernetes object name (lower-case DNS name)',
  );

/** An image reference with an explicit tag or digest, never `latest`. */
const pinnedImage = z
  .string()
  .regex(
    /^[a-z0-9]+([._\-/:][a-z0-9]+)*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/,
    'expected an image reference with an explicit tag or digest, e.g. registry.example/mirror/debian:bookworm-slim',
  )
  .refine((ref) => !/:latest$/.test(ref), 'the tag `latest` is not allowed: pin a version');

/**
 * A network whose X-Forwarded-For the gateway believes (nginx `set_real_ip_from`): IPv4 or IPv6 in
 * CIDR notation. The renderer takes IPv6 in hex groups only, so the dotted IPv4-in-IPv6 form is
 * refused here rather than failing at render time; a /0 would let every client pick its own
 * address, and with it its rate-limit bucket.
 */
const cidrHint = 'expected an IPv4 or IPv6 CIDR such as 10.0.0.0/8 or fd00::/8 (one address: /32 or /128)';
const trustedProxy = z
  .union([z.cidrv4(), z.cidrv6()], { error: (issue) => `${JSON.stringify(issue.input)} is not a CIDR; ${cidrHint}` })
  .refine((cidr) => !(cidr.includes(':') && cidr.includes('.')), {
    error: (issue) => `${JSON.stringify(issue.input)}: write IPv6 in hex groups (e.g. ::ffff:a00:0/104)`,
  })
  .refine((cidr) => !cidr.endsWith('/0'), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} trusts every address: any client could set its own address (and rate-limit bucket) through X-Forwarded-For`,
  });

/** `pulumi config set --path resources.books.cpuLimit 1` (and YAML) store a bare number as a number: read it too. */
const cpuQuantity = z.preprocess(
  (value) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value),
  z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, 'expected a CPU quantity such as 250m or 1'),
);
const memoryQuantity = z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'expected a memory quantity such as 128Mi or 1Gi');

const containerSize = z.strictObject({
  cpuRequest: cpuQuantity.optional(),
  memoryRequest: memoryQuantity.optional(),
  cpuLimit: cpuQuantity.optional(),
  memoryLimit: memoryQuantity.optional(),
});

export const stackConfigSchema = z.strictObject({
  target: z.enum(targetNames, {
    error: (issue) =>
      `${issue.input === undefined ? 'required' : `${JSON.stringify(issue.input)} is not a target`}; one of ${targetNames.join(', ')}`,
  }),
  namespace: dnsLabel.optional(),
  kubernetes: z
    .strictObject({
      context: nonEmpty.optional(),
      /** A path (never inline content: the provider would be replaced whenever it changes). */
      kubeconfig: nonEmpty.refine((v) => !v.includes('\n'), 'expected a file path, not kubeconfig content').optional(),
      /** The provider is replaced only when this changes (not when the context or kubeconfig path does). */
      clusterIdentifier: nonEmpty.optional(),
      /** Laptop stacks: drop the state of resources whose cluster is gone. */
      deleteUnreachable: boolean.optional(),
    })
    .optional(),
  platform: z.enum(['linux/amd64', 'linux/arm64', 'linux/arm/v7']).optional(),
  registry: z
    .strictObject({
      server: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?$/, 'expected a registry host[:port] without scheme or path')
        .optional(),
      repository: z
        .string()
        .regex(
          /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
          'expected a lower-case repository path such as team/books',
        )
        .optional(),
      username: nonEmpty.optional(),
      password: nonEmpty.optional(),
      credentialHelper: boolean.optional(),
      /** An existing kubernetes.io/dockerconfigjson Secret in the namespace that lets nodes pull. */
      pullSecret: dnsName.optional(),
    })
    .optional(),
  images: z
    .strictObject({
      baseImage: pinnedImage.optional(),
      nodeImage: pinnedImage.optional(),
    })
    .optional(),
  docker: z
    .strictObject({
      host: z
        .string()
        .regex(/^(unix|tcp|ssh|npipe):\/\/\S+$/, 'expected unix://, tcp://, ssh:// or npipe:// URL')
        .optional(),
      certPath: nonEmpty.optional(),
    })
    .optional(),
  replicas: z
    .strictObject({
      books: integer(1, 50).optional(),
      booksReact: integer(1, 50).optional(),
      gateway: integer(1, 50).optional(),
    })
    .optional(),
  gateway: z
    .strictObject({
      serviceType: z.enum(gatewayServiceTypes).optional(),
      port: integer(1, 65535).optional(),
      tlsPort: integer(1, 65535).optional(),
      traefikDisabled: boolean.optional(),
      nodePort: integer(30000, 32767).optional(),
      tunnel: boolean.optional(),
      awaitAddress: boolean.optional(),
      publicHost: z
        .string()
        .regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/, 'expected a host name or IP address')
        .optional(),
      tlsSecret: dnsName.optional(),
      monitoringNamespace: dnsLabel.optional(),
      trustedProxies: z
        .array(trustedProxy, {
          error: (issue) =>
            issue.code === 'invalid_type'
              ? "expected a list of CIDRs: `pulumi config set --path 'gateway.trustedProxies[0]' 10.0.0.0/8`"
              : undefined,
        })
        .optional(),
      rateLimit: z
        .strictObject({
          requestsPerSecond: integer(1, 100000).optional(),
          burst: integer(0, 100000).optional(),
        })
        .optional(),
      jwt: z
        .strictObject({
          hs256Key: z.string().min(32, 'must be at least 32 characters (256 bits)').optional(),
          rs256PublicKey: z
            .string()
            .regex(
              /-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/,
              'expected an SPKI PEM public key (BEGIN PUBLIC KEY)',
            )
            .optional(),
          issuer: tokenClaim.optional(),
          audience: tokenClaim.optional(),
        })
        .optional(),
    })
    .optional(),
  database: z
    .strictObject({
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// or postgresql:// URL')
        .optional(),
      password: z.string().min(16, 'must be at least 16 characters').optional(),
      image: pinnedImage
        .refine((ref) => /(^|\/)postgres[:@]/.test(ref), 'expected a postgres image, e.g. postgres:17.6-bookworm')
        .optional(),
      storageSize: memoryQuantity.optional(),
      storageClass: dnsName.optional(),
      retain: boolean.optional(),
    })
    .optional(),
  resources: z
    .strictObject({
      books: containerSize.optional(),
      booksReact: containerSize.optional(),
      gateway: containerSize.optional(),
      postgres: containerSize.optional(),
    })
    .optional(),
  books: z
    .strictObject({
      logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).optional(),
      loadSampleData: boolean.optional(),
    })
    .optional(),
});

export type RawStackConfig = z.infer<typeof stackConfigSchema>;

/** Keys whose values must be Pulumi secrets (`pulumi config set --secret --path <key> …`). */
export const secretConfigKeys = [
  'registry.password',
  'gateway.jwt.hs256Key',
  'database.password',
  'database.url',
] as const;

import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { DatabaseConfig } from '../stacks/config';
import type { ContainerSize } from '../stacks/targets';
import {
  containerResources,
  credentialFingerprint,
  postgresUid,
  pullSecretRefs,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  selectorLabels,
  workloadLabels,
} from './pod-spec';

export const databaseNames = {
  secret: 'books-database',
  workload: 'books-postgres',
  service: 'books-postgres',
  port: 5432,
  user: 'books',
  database: 'books',
} as const;

/**
 * Pod-template annotation carrying a checksum of the database credential: a changed `database.password` (or
 * `database.url`) rolls PostgreSQL (which then sets the role's password, see `setRolePassword`) and books (whose
 * connection settings are read at start).
 */
export const credentialChecksumAnnotation = 'books-platform/database-credential-checksum';

/**
 * postStart hook of the PostgreSQL container: sets the `books` role's password to the one in the Secret, through
 * the local socket (trusted by the official image), retrying while the server starts. The image's entrypoint sets
 * the password only when it initialises an empty volume, so without this a changed `database.password` would
 * reach the Secret and books but never the role. The pod is not started (no probes) until the hook succeeds.
 */
export function setRolePassword(user: string, socketDir = '/var/run/postgresql'): string[] {
  const statement = `ALTER ROLE ${user} PASSWORD :'password';`;
  const psql = `psql -X -q -v ON_ERROR_STOP=1 -v password="$POSTGRES_PASSWORD" -h ${socketDir} -U ${user} -d postgres`;
  return [
    '/bin/sh',
    '-c',
    `for attempt in $(seq 1 120); do printf '%s\\n' "${statement}" | ${psql} >/dev/null 2>&1 && exit 0; sleep 1; done; exit 1`,
  ];
}

export interface DatabaseArgs {
  namespace: pulumi.Input<string>;
  database: DatabaseConfig;
  size: ContainerSize;
  /** Pull Secrets of the PostgreSQL pod: a private or mirrored database image needs them like the apps do. */
  imagePullSecrets: pulumi.Input<string>[];
}

/**
 * The books database: an in-cluster PostgreSQL StatefulSet (restricted PSS: uid 999, PGDATA on its
 * volume) or an external URL. Either way the credential lives only in the Secret `books-database`,
 * and `clientEnv` is the environment the books container connects with.
 */
export class Database extends pulumi.ComponentResource {
  readonly clientEnv: k8s.types.input.core.v1.EnvVar[];
  /** Pod labels of the PostgreSQL pods; undefined for an external database. */
  readonly podSelector: Record<string, string> | undefined;
  /** The server's port: the in-cluster one, or the external URL's (default 5432). */
  readonly port: number;
  /** Annotations for the pod template of every database client: they roll when the credential changes. */
  readonly clientPodAnnotations: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('books-platform:index:Database', name, {}, opts);
    const secretKey = (key: string) => ({ valueFrom: { secretKeyRef: { name: databaseNames.secret, key } } });
    const db = args.database;
    this.port = db.kind === 'external' ? Number(new URL(db.url).port || databaseNames.port) : databaseNames.port;
    this.clientPodAnnotations = {
      [credentialChecksumAnnotation]: pulumi.output(
        credentialFingerprint(db.kind === 'external' ? db.url : db.password),
      ),
    };
    const retain = db.kind === 'in-cluster' && db.retain;
    if (retain) {
      pulumi.log.info(
        `database kept on destroy: \`pulumi destroy\` or a namespace change leaves the namespace, the StatefulSet ` +
          `${databaseNames.workload} and its volume claim in the cluster (database.retain; docs/configuration.md)`,
        this,
      );
    }
    const labels = workloadLabels(databaseNames.workload, 'database');
    new k8s.core.v1.Secret(
      name,
      {
        metadata: { name: databaseNames.secret, namespace: args.namespace, labels },
        type: 'Opaque',
        stringData: db.kind === 'external' ? { url: pulumi.secret(db.url) } : { password: pulumi.secret(db.password) },
      },
      { parent: this, additionalSecretOutputs: ['data', 'stringData'], retainOnDelete: retain },
    );

    if (db.kind === 'external') {
      this.clientEnv = [{ name: 'DATABASE_URL', ...secretKey('url') }];
      this.podSelector = undefined;
      this.registerOutputs({});
      return;
    }

    this.podSelector = selectorLabels(databaseNames.workload);
    this.clientEnv = [
      { name: 'PGHOST', value: databaseNames.service },
      { name: 'PGPORT', value: String(databaseNames.port) },
      { name: 'PGUSER', value: databaseNames.user },
      { name: 'PGDATABASE', value: databaseNames.database },
      { name: 'PGPASSWORD', ...secretKey('password') },
    ];
    const dataDir = '/var/lib/postgresql/data';
    const ready = {
      exec: { command: ['pg_isready', '-h', '127.0.0.1', '-U', databaseNames.user, '-d', databaseNames.database] },
    };

    const service = new k8s.core.v1.Service(
      name,
      {
        metadata: { name: databaseNames.service, namespace: args.namespace, labels },
        spec: {
          // Headless: the StatefulSet's governing Service; books resolves books-postgres to the pod itself.
          type: 'ClusterIP',
          clusterIP: 'None',
          selector: this.podSelector,
          ports: [{ name: 'postgres', port: databaseNames.port, targetPort: 'postgres', protocol: 'TCP' }],
        },
      },
      { parent: this },
    );

    new k8s.apps.v1.StatefulSet(
      name,
      {
        metadata: { name: databaseNames.workload, namespace: args.namespace, labels },
        spec: {
          serviceName: service.metadata.name,
          replicas: 1,
          // The claims outlive the StatefulSet (the default, stated): deleting it never deletes the data.
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          selector: { matchLabels: this.podSelector },
          template: {
            metadata: { labels, annotations: this.clientPodAnnotations },
            spec: {
              automountServiceAccountToken: false,
              imagePullSecrets: pullSecretRefs(args.imagePullSecrets),
              securityContext: restrictedPodSecurityContext(postgresUid),
              containers: [
                {
                  name: 'postgres',
                  image: db.image,
                  imagePullPolicy: 'IfNotPresent',
                  ports: [{ name: 'postgres', containerPort: databaseNames.port, protocol: 'TCP' }],
                  env: [
                    { name: 'POSTGRES_USER', value: databaseNames.user },
                    { name: 'POSTGRES_DB', value: databaseNames.database },
                    { name: 'POSTGRES_PASSWORD', ...secretKey('password') },
                    // A subdirectory: the volume root holds lost+found on many storage classes.
                    { name: 'PGDATA', value: `${dataDir}/pgdata` },
                  ],
                  lifecycle: { postStart: { exec: { command: setRolePassword(databaseNames.user) } } },
                  startupProbe: { ...ready, periodSeconds: 2, failureThreshold: 60 },
                  readinessProbe: { ...ready, periodSeconds: 5, timeoutSeconds: 3 },
                  // Alive while it accepts connections; pg_isready (readiness) may fail under load or in recovery.
                  livenessProbe: {
                    tcpSocket: { port: 'postgres' },
                    periodSeconds: 15,
                    timeoutSeconds: 5,
                    failureThreshold: 4,
                  },
                  resources: containerResources(args.size),
                  securityContext: restrictedContainerSecurityContext(postgresUid),
                  volumeMounts: [
                    { name: 'data', mountPath: dataDir },
                    { name: 'run', mountPath: '/var/run/postgresql' },
                    { name: 'tmp', mountPath: '/tmp' },
                  ],
                },
              ],
              volumes: [
                { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
                { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data', labels },
              spec: {
                accessModes: ['ReadWriteOnce'],
                storageClassName: db.storageClass,
                resources: { requests: { storage: db.storageSize } },
              },
            },
          ],
        },
      },
      { parent: this, retainOnDelete: retain },
    );
    this.registerOutputs({});
  }
}

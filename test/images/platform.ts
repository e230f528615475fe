// The platform as the program deploys it, from the built images, on one user-defined network of our engine:
// PostgreSQL (`books-postgres`), books ×2 sharing `books-service`, books-react ×2 sharing `books-react-service`,
// and the gateway with the nginx.conf the program renders and the JWT key Secret mounted, the only container
// published (127.0.0.1, random port). Each Service name also answers as its cluster FQDN, which is what the
// program's gateway configuration resolves.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayRenderOptions } from '../../components/gateway';
import { sharedDefaults } from '../../stacks/config';
import { targetDefaults } from '../../stacks/targets';
import { renderNginxConf } from '../../apps/books-reverse-proxy/src/render';
import { mintToken } from '../../apps/books-reverse-proxy/src/token';
import { docker } from '../../scripts/docker/engine';
import { APPS, APP_USER, app, DATABASE, GATEWAY_MOUNTS, NAMESPACE, serviceAliases, type AppName } from './apps';
import {
  containerLogs,
  PID_LABEL,
  RUN_LABEL,
  removeRuns,
  runContainer,
  waitHealthy,
  type ContainerSpec,
} from './containers';
import { LOG_DIR } from './paths';

export interface PlatformContainer {
  name: string;
  role: AppName | 'postgres';
  image: string;
  user: string;
}

export interface ImagesPlatform {
  runId: string;
  network: string;
  /** The deployed workloads' containers (not those of startExtra). */
  containers: readonly PlatformContainer[];
  gatewayUrl: string;
  /** The harness environment the platform cases read (docs/contracts.md). */
  env: Readonly<Record<string, string>>;
  /** Seconds until every container was healthy. */
  startSeconds: number;
  /** Rendered nginx.conf and the JWT key directory, bind-mounted into the gateway. */
  stateDir: string;
  /**
   * One more container of `role` from `image` (another architecture's build), configured like its replicas but
   * outside their Service (no aliases), waited for until healthy. Returns its name; removed with the run.
   */
  startExtra(role: AppName, image: string, suffix: string, platform: string): Promise<string>;
}

const HEALTHY_TIMEOUT_MS = 120_000;
/** Under QEMU everything (node start-up, nginx, health probes) is several times slower. */
const EMULATED_HEALTHY_TIMEOUT_MS = 300_000;

export async function startImagesPlatform(
  images: Readonly<Record<AppName | 'postgres', string>>,
): Promise<ImagesPlatform> {
  await removeRuns(undefined); // leftovers of aborted runs
  const runId = `books-images-${process.pid}-${randomBytes(3).toString('hex')}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'books-images-'));
  try {
    return await startRun(runId, stateDir, images);
  } catch (error) {
    await stopImagesPlatform(runId, stateDir);
    throw error;
  }
}

async function startRun(
  runId: string,
  stateDir: string,
  images: Readonly<Record<AppName | 'postgres', string>>,
): Promise<ImagesPlatform> {
  const started = Date.now();
  const labels = { [RUN_LABEL]: runId, [PID_LABEL]: String(process.pid) };
  const network = runId;
  await docker(['network', 'create', ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), network]);

  // The gateway's ConfigMap and Secret, as files the gateway (uid 10001) can read.
  chmodSync(stateDir, 0o755);
  const hs256Key = randomBytes(32).toString('base64url');
  const gatewayConfig = {
    serviceType: 'ClusterIP' as const,
    port: 80,
    nodePort: undefined,
    awaitAddress: false,
    publicHost: undefined,
    tlsPort: 443,
    serviceAnnotations: {},
    tlsSecret: undefined,
    monitoringNamespace: undefined,
    rateLimit: { ...sharedDefaults.rateLimit },
    jwt: {
      hs256Key,
      rs256PublicKey: undefined,
      issuer: sharedDefaults.jwtIssuer,
      audience: sharedDefaults.jwtAudience,
    },
  };
  const configFile = join(stateDir, 'nginx.conf');
  writeFileSync(
    configFile,
    renderNginxConf(gatewayRenderOptions(NAMESPACE, gatewayConfig, targetDefaults['docker-desktop'].sizes.gateway)),
    { mode: 0o644 },
  );
  const jwtDir = join(stateDir, 'jwt');
  mkdirSync(jwtDir, { mode: 0o755 });
  const keyFile = join(jwtDir, 'hs256.key');
  writeFileSync(keyFile, hs256Key, { mode: 0o444 });
  const dbPassword = randomBytes(18).toString('base64url');

  // What each workload's pod gets in the program: env (index.ts; PGPASSWORD from the Secret there), writable
  // emptyDirs, mounted ConfigMap/Secret, the pod's user.
  const pods: Record<AppName | 'postgres', Omit<ContainerSpec, 'name' | 'network' | 'labels' | 'image' | 'aliases'>> = {
    postgres: {
      user: `${DATABASE.uid}:${DATABASE.uid}`,
      env: {
        POSTGRES_USER: DATABASE.user,
        POSTGRES_DB: DATABASE.database,
        POSTGRES_PASSWORD: dbPassword,
        PGDATA: `${DATABASE.dataDir}/pgdata`,
      },
      tmpfs: [
        `${DATABASE.dataDir}:uid=${DATABASE.uid},gid=${DATABASE.uid},mode=0700`,
        `/var/run/postgresql:uid=${DATABASE.uid},gid=${DATABASE.uid}`,
      ],
    },
    books: {
      user: APP_USER,
      env: {
        PORT: String(app('books').port),
        HOST: '0.0.0.0',
        LOG_LEVEL: sharedDefaults.logLevel,
        BOOKS_LOAD_SAMPLE: 'false',
        PGHOST: DATABASE.service,
        PGPORT: String(DATABASE.port),
        PGUSER: DATABASE.user,
        PGDATABASE: DATABASE.database,
        PGPASSWORD: dbPassword,
      },
    },
    'books-react': { user: APP_USER, env: { PORT: String(app('books-react').port) } },
    'books-reverse-proxy': {
      user: APP_USER,
      tmpfs: [`${GATEWAY_MOUNTS.tempDir}:size=256m`],
      mounts: [
        { source: configFile, target: GATEWAY_MOUNTS.configFile },
        { source: jwtDir, target: GATEWAY_MOUNTS.jwtDir },
      ],
    },
  };

  const containers: PlatformContainer[] = [];
  const start = async (
    role: PlatformContainer['role'],
    suffix: string,
    image: string,
    extra: Partial<ContainerSpec>,
  ): Promise<string> => {
    const name = `${runId}-${role}-${suffix}`;
    await runContainer({ aliases: [], ...pods[role], ...extra, image, name, network, labels });
    return name;
  };
  const deploy = async (
    role: PlatformContainer['role'],
    replica: number,
    image: string,
    extra: Partial<ContainerSpec>,
  ): Promise<string> => {
    const name = await start(role, String(replica), image, extra);
    containers.push({ name, role, image, user: pods[role].user });
    return name;
  };

  // The database first: books' readiness depends on it.
  await waitHealthy(
    [await deploy('postgres', 0, images.postgres, { aliases: serviceAliases(DATABASE.service) })],
    HEALTHY_TIMEOUT_MS,
  );
  const names: string[] = [];
  let gatewayName = '';
  for (const appImage of APPS) {
    for (let i = 0; i < appImage.replicas; i++) {
      const gateway = appImage.service === undefined;
      const name = await deploy(appImage.name, i, images[appImage.name], {
        aliases: serviceAliases(appImage.service ?? 'books-reverse-proxy-service'),
        ...(gateway ? { publish: appImage.port } : {}),
      });
      names.push(name);
      if (gateway) gatewayName = name;
    }
  }
  await waitHealthy(names, HEALTHY_TIMEOUT_MS);

  const published = (await docker(['port', gatewayName, `${app('books-reverse-proxy').port}/tcp`])).stdout;
  const port = /127\.0\.0\.1:(\d+)/.exec(published)?.[1];
  if (!port) throw new Error(`gateway ${gatewayName} has no port published on 127.0.0.1: ${published}`);
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const writeToken = await mintToken({
    alg: 'HS256',
    key: Buffer.from(hs256Key),
    sub: 'images-harness',
    scope: 'books:write',
    issuer: gatewayConfig.jwt.issuer,
    audience: gatewayConfig.jwt.audience,
    ttlSeconds: 3600,
  });
  return {
    runId,
    network,
    stateDir,
    containers,
    gatewayUrl,
    env: {
      BOOKS_PLATFORM_URL: gatewayUrl,
      BOOKS_WRITE_TOKEN: writeToken,
      BOOKS_JWT_HS256_KEY_FILE: keyFile,
      BOOKS_JWT_ISSUER: gatewayConfig.jwt.issuer,
      BOOKS_JWT_AUDIENCE: gatewayConfig.jwt.audience,
    },
    startSeconds: (Date.now() - started) / 1000,
    startExtra: async (role, image, suffix, platform) => {
      const name = await start(role, suffix, image, { platform });
      await waitHealthy([name], EMULATED_HEALTHY_TIMEOUT_MS);
      return name;
    },
  };
}

/** Keep every container's log in LOG_DIR, then remove the run's containers, network and state directory. */
export async function stopImagesPlatform(runId: string, stateDir: string | undefined): Promise<void> {
  const { stdout } = await docker(['ps', '--all', '--filter', `label=${RUN_LABEL}=${runId}`, '--format', '{{.Names}}']);
  for (const name of stdout.split('\n').filter(Boolean))
    writeFileSync(join(LOG_DIR, `${name.slice(runId.length + 1)}.log`), await containerLogs(name, 10_000_000, 100_000));
  await removeRuns(runId);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}

/**
 * Root hooks of `npm run test:cluster`: start the project's Docker engine and the local single-node cluster
 * (scripts/cluster/node.sh), push the PostgreSQL stand-in to the cluster's registry, run `pulumi up` of a K3s-like
 * amd64 stack with the in-cluster PostgreSQL from a private copy of the project, wait until every pod is Ready, and
 * set the harness environment (docs/contracts.md) for test/integration/platform/** and the browser suite, which
 * then run through the gateway's LoadBalancer address. Everything is stopped after the run (BOOKS_CLUSTER_KEEP=1
 * keeps the cluster and the work dir for a look).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RootHookObject } from 'mocha';
import { mintToken } from '../../apps/books-reverse-proxy/src/token';
import { CLUSTER_TIMINGS_FILE } from '../../bench/sections/program';
import { DOCKER_HOST, ENGINE, docker, startEngine } from '../../scripts/docker/engine';
import { ensureStandIns } from '../../scripts/docker/standins';
import { sharedDefaults } from '../../stacks/config';
import type { RawStackConfig } from '../../stacks/schema';
import { Kube } from '../e2e/lib/kube';
import { copyProject } from '../e2e/lib/project-copy';
import { openStack, type StackSetup } from '../e2e/lib/stack';
import { Timings } from '../e2e/lib/timings';
import { loadToolchain, toolchainPath } from '../e2e/lib/toolchain';
import { buildContext } from '../images/build';
import { LOG_DIR, REPO_ROOT } from '../images/paths';
import { setHarness } from './lib/harness';
import { startLocalCluster, stopLocalCluster, type LocalCluster } from '../../scripts/cluster/node';
import { waitSettled } from './lib/ready';

const NAMESPACE = 'books';
const STACK = 'cluster';
const SETUP_TIMEOUT_MS = 40 * 60_000;
const SETTLE_TIMEOUT_MS = 5 * 60_000;
const keep = process.env.BOOKS_CLUSTER_KEEP === '1';

let workDir: string | undefined;
let clusterStarted = false;

function say(line: string): void {
  process.stdout.write(`    [cluster] ${line}\n`);
}

const timings = new Timings(say);
const time = <T>(label: string, body: () => Promise<T>): Promise<T> => timings.time(label, body);

/** The stand-in of the database image, pushed where the kubelet pulls it with the stack's credentials. */
async function pushDatabaseImage(cluster: LocalCluster): Promise<string> {
  const built = await buildContext('postgres-standin', join(REPO_ROOT, 'scripts', 'docker', 'postgres'), 'amd64');
  const remote = `${cluster.registry.server}/books-cluster/postgres:17.6-bookworm`;
  const config = mkdtempSync(join(tmpdir(), 'books-cluster-docker-'));
  try {
    await docker(
      [
        '--config',
        config,
        'login',
        '--username',
        cluster.registry.username,
        '--password-stdin',
        cluster.registry.server,
      ],
      {
        input: cluster.registry.password,
      },
    );
    await docker(['tag', built.tag, remote]);
    await docker(['--config', config, 'push', remote]);
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
  return remote;
}

function stackConfig(cluster: LocalCluster, databaseImage: string, hs256Key: string): RawStackConfig {
  return {
    target: 'k3s',
    platform: 'linux/amd64',
    namespace: NAMESPACE,
    kubernetes: { context: cluster.context, kubeconfig: cluster.kubeconfig },
    registry: {
      server: cluster.registry.server,
      repository: 'books-cluster',
      username: cluster.registry.username,
      password: cluster.registry.password,
    },
    docker: { host: DOCKER_HOST },
    gateway: { jwt: { hs256Key } },
    database: { password: randomBytes(18).toString('base64url'), image: databaseImage },
  };
}

async function cleanUp(): Promise<void> {
  setHarness(undefined);
  if (clusterStarted && !keep) {
    clusterStarted = false;
    await stopLocalCluster();
  }
  if (workDir && !keep) rmSync(workDir, { recursive: true, force: true });
}

function stopOnSignal(signal: NodeJS.Signals): void {
  process.stderr.write(`\n${signal}: stopping the local cluster…\n`);
  cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}

export const mochaHooks: RootHookObject = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(SETUP_TIMEOUT_MS);
    const toolchain = loadToolchain();
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    mkdirSync(LOG_DIR, { recursive: true });
    await startEngine();
    await ensureStandIns(['amd64']);
    clusterStarted = true;
    const cluster = await time('cluster start (nothing → CoreDNS and local-path ready)', startLocalCluster);
    workDir = mkdtempSync(join(tmpdir(), 'books-cluster-'));
    say(`node at ${cluster.nodeIp}, registry ${cluster.registry.server}, work dir ${workDir}`);
    const databaseImage = await time('PostgreSQL stand-in built and pushed', () => pushDatabaseImage(cluster));
    const projectDir = await copyProject(join(workDir, 'project'));

    const hs256Key = randomBytes(48).toString('base64');
    const setup: StackSetup = {
      projectDir,
      stackName: STACK,
      config: stackConfig(cluster, databaseImage, hs256Key),
      env: {
        ...(process.env as Record<string, string>),
        PATH: toolchainPath(toolchain),
        DOCKER_HOST,
        BOOKS_DOCKER_CLI: ENGINE.cli,
        PULUMI_NODEJS_TRANSPILE_ONLY: 'true',
      },
      stateDir: join(workDir, 'state'),
      pulumiHome: join(workDir, 'pulumi-home'),
      pulumiRoot: dirname(toolchain.pulumi),
    };
    const kube = new Kube(
      {
        name: 'books-cluster',
        kubeconfig: cluster.kubeconfig,
        context: cluster.context,
        env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
      },
      toolchain,
    );
    const stack = await openStack(setup, { validate: true });
    const result = await time('first pulumi up → every pod Ready', async () => {
      const up = await stack.up({ onOutput: (line) => process.stdout.write(`      | ${line}`) });
      await waitSettled(kube, NAMESPACE, SETTLE_TIMEOUT_MS);
      return up;
    });
    const gatewayUrl = String(result.outputs.gatewayUrl?.value ?? '');
    if (!gatewayUrl) throw new Error('the stack has no gatewayUrl output');

    const keyFile = join(workDir, 'hs256.key');
    writeFileSync(keyFile, hs256Key);
    chmodSync(keyFile, 0o600);
    const writeToken = await mintToken({
      alg: 'HS256',
      key: Buffer.from(hs256Key),
      sub: 'cluster-harness',
      scope: 'books:write',
      issuer: sharedDefaults.jwtIssuer,
      audience: sharedDefaults.jwtAudience,
      ttlSeconds: 3600,
    });
    Object.assign(process.env, {
      BOOKS_PLATFORM_URL: gatewayUrl,
      BOOKS_WRITE_TOKEN: writeToken,
      BOOKS_JWT_HS256_KEY_FILE: keyFile,
      BOOKS_JWT_ISSUER: sharedDefaults.jwtIssuer,
      BOOKS_JWT_AUDIENCE: sharedDefaults.jwtAudience,
    });
    setHarness({ toolchain, cluster, kube, stack, setup, namespace: NAMESPACE, gatewayUrl, writeToken, time });
    say(`platform up at ${gatewayUrl}`);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(5 * 60_000);
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    say('timings:');
    for (const [label, seconds] of timings.entries) say(`  ${label}: ${seconds.toFixed(1)} s`);
    // `npm run bench` publishes these (cluster start, first up, change to new pods serving, preview, destroy).
    mkdirSync(dirname(CLUSTER_TIMINGS_FILE), { recursive: true });
    writeFileSync(CLUSTER_TIMINGS_FILE, `${JSON.stringify(Object.fromEntries(timings.entries), null, 2)}\n`);
    await cleanUp();
  },
};

// The platform on the local single-node cluster, as `npm run test:cluster` and the bench's cluster section both run
// it: the project's Docker engine and stand-ins, the cluster (scripts/cluster/node.sh), the PostgreSQL stand-in
// pushed to the cluster's registry, and `pulumi up` of a K3s-like amd64 stack with the in-cluster PostgreSQL from a
// private copy of the project, until every pod is Ready.
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Stack } from '@pulumi/pulumi/automation';
import { mintToken } from '../../../apps/books-reverse-proxy/src/token';
import { startLocalCluster, stopLocalCluster, type LocalCluster } from '../../../scripts/cluster/node';
import { DOCKER_HOST, ENGINE, docker, startEngine } from '../../../scripts/docker/engine';
import { ensureStandIns } from '../../../scripts/docker/standins';
import { sharedDefaults } from '../../../stacks/config';
import type { RawStackConfig } from '../../../stacks/schema';
import { Kube } from '../../e2e/lib/kube';
import { copyProject } from '../../e2e/lib/project-copy';
import { openStack, type StackSetup } from '../../e2e/lib/stack';
import { loadToolchain, toolchainPath, type Toolchain } from '../../e2e/lib/toolchain';
import { buildContext } from '../../images/build';
import { LOG_DIR, REPO_ROOT } from '../../images/paths';
import { SETTLE_TIMEOUT_MS, waitSettled } from './ready';

export const PLATFORM_NAMESPACE = 'books';
/** The repository in the cluster's registry every image of the run goes to. */
export const REGISTRY_REPOSITORY = 'books-cluster';
const STACK = 'cluster';

export interface DeployOptions {
  say: (line: string) => void;
  /** Times a step (and records it for the caller's summary). */
  time: <T>(label: string, body: () => Promise<T>) => Promise<T>;
  /** Changes to the stack config (the bench lifts the gateway's limits). */
  adjustConfig?: (config: RawStackConfig) => RawStackConfig;
  /** Show `pulumi up`'s output as it runs. */
  showUpOutput: boolean;
}

export interface DeployedPlatform {
  toolchain: Toolchain;
  cluster: LocalCluster;
  kube: Kube;
  stack: Stack;
  setup: StackSetup;
  namespace: string;
  gatewayUrl: string;
  writeToken: string;
  /** The HS256 key the gateway checks tokens with, in a 0600 file. */
  hs256KeyFile: string;
  hs256Key: string;
  /** A Docker client config logged in to the cluster's registry (what `docker login` leaves a user). */
  dockerConfig: string;
}

/**
 * A books source change in the deployed copy of the project (a comment at the end of its first source file): what a
 * developer's edit looks like to the build — a new context digest, one layer to rebuild, new pods to roll.
 */
export function changeBooksSource(projectDir: string, note: string): void {
  const sourceDir = join(projectDir, 'apps', 'books', 'src');
  const first = readdirSync(sourceDir)
    .filter((file) => file.endsWith('.ts'))
    .sort()[0];
  if (!first) throw new Error(`no TypeScript source in ${sourceDir}`);
  appendFileSync(join(sourceDir, first), `\n// ${note} ${Date.now()}\n`);
}

/** Pushes a local image to the cluster's registry under `remote`, with a config from `registryLogin`. */
export async function pushImage(dockerConfig: string, local: string, remote: string): Promise<void> {
  await docker(['tag', local, remote]);
  await docker(['--config', dockerConfig, 'push', remote]);
}

async function registryLogin(cluster: LocalCluster, dockerConfig: string): Promise<void> {
  mkdirSync(dockerConfig, { recursive: true, mode: 0o700 });
  const { server, username, password } = cluster.registry;
  await docker(['--config', dockerConfig, 'login', '--username', username, '--password-stdin', server], {
    input: password,
  });
}

/** A stand-in image from scripts/docker/<dir>, built and pushed where the kubelet pulls it with the stack's credentials. */
export async function pushStandIn(
  platform: Pick<DeployedPlatform, 'cluster' | 'dockerConfig'>,
  dir: string,
  remoteName: string,
): Promise<string> {
  const built = await buildContext(`${dir}-standin`, join(REPO_ROOT, 'scripts', 'docker', dir), 'amd64');
  const remote = `${platform.cluster.registry.server}/${REGISTRY_REPOSITORY}/${remoteName}`;
  await pushImage(platform.dockerConfig, built.tag, remote);
  return remote;
}

function stackConfig(cluster: LocalCluster, databaseImage: string, hs256Key: string): RawStackConfig {
  return {
    target: 'k3s',
    platform: 'linux/amd64',
    namespace: PLATFORM_NAMESPACE,
    kubernetes: { context: cluster.context, kubeconfig: cluster.kubeconfig },
    registry: {
      server: cluster.registry.server,
      repository: REGISTRY_REPOSITORY,
      username: cluster.registry.username,
      password: cluster.registry.password,
    },
    docker: { host: DOCKER_HOST },
    gateway: { jwt: { hs256Key } },
    database: { password: randomBytes(18).toString('base64url'), image: databaseImage },
  };
}

/** One run's cluster and work directory: `deploy` brings the platform up, `cleanUp` undoes whatever it got to. */
export class ClusterRun {
  private workDir: string | undefined;
  private clusterStarted = false;

  async deploy(options: DeployOptions): Promise<DeployedPlatform> {
    const { say, time } = options;
    const toolchain = loadToolchain();
    mkdirSync(LOG_DIR, { recursive: true });
    await startEngine();
    await ensureStandIns(['amd64']);
    this.clusterStarted = true;
    const cluster = await time('cluster start (nothing → CoreDNS and local-path ready)', startLocalCluster);
    const workDir = mkdtempSync(join(tmpdir(), 'books-cluster-'));
    this.workDir = workDir;
    say(`node at ${cluster.nodeIp}, registry ${cluster.registry.server}, work dir ${workDir}`);
    const dockerConfig = join(workDir, 'docker-config');
    await registryLogin(cluster, dockerConfig);
    const databaseImage = await time('PostgreSQL stand-in built and pushed', () =>
      pushStandIn({ cluster, dockerConfig }, 'postgres', 'postgres:17.6-bookworm'),
    );
    const projectDir = await copyProject(join(workDir, 'project'));

    const hs256Key = randomBytes(48).toString('base64');
    const config = stackConfig(cluster, databaseImage, hs256Key);
    const setup: StackSetup = {
      projectDir,
      stackName: STACK,
      config: options.adjustConfig ? options.adjustConfig(config) : config,
      env: {
        ...(process.env as Record<string, string>),
        PATH: toolchainPath(toolchain),
        DOCKER_HOST,
        BOOKS_DOCKER_CLI: ENGINE.cli,
      },
      stateDir: join(workDir, 'state'),
      pulumiHome: join(workDir, 'pulumi-home'),
      tempDir: join(workDir, 'tmp'),
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
      const up = await stack.up({
        onOutput: options.showUpOutput ? (line) => process.stdout.write(`      | ${line}`) : () => undefined,
      });
      await waitSettled(kube, PLATFORM_NAMESPACE, SETTLE_TIMEOUT_MS);
      return up;
    });
    const gatewayUrl = String(result.outputs.gatewayUrl?.value ?? '');
    if (!gatewayUrl) throw new Error('the stack has no gatewayUrl output');

    const hs256KeyFile = join(workDir, 'hs256.key');
    writeFileSync(hs256KeyFile, hs256Key);
    chmodSync(hs256KeyFile, 0o600);
    const writeToken = await mintToken({
      alg: 'HS256',
      key: Buffer.from(hs256Key),
      sub: 'cluster-harness',
      scope: 'books:write',
      issuer: sharedDefaults.jwtIssuer,
      audience: sharedDefaults.jwtAudience,
      ttlSeconds: 3600,
    });
    say(`platform up at ${gatewayUrl}`);
    return {
      toolchain,
      cluster,
      kube,
      stack,
      setup,
      namespace: PLATFORM_NAMESPACE,
      gatewayUrl,
      writeToken,
      hs256KeyFile,
      hs256Key,
      dockerConfig,
    };
  }

  /** Stops the cluster this run started and removes its work dir; `keep` leaves both for a look. */
  async cleanUp(keep: boolean): Promise<void> {
    if (keep) return;
    if (this.clusterStarted) {
      this.clusterStarted = false;
      await stopLocalCluster();
    }
    if (this.workDir) rmSync(this.workDir, { recursive: true, force: true });
    this.workDir = undefined;
  }
}

// The books program under the real Pulumi engine (CLI + Automation API) against a real Kubernetes API (kwok) and a
// real registry with htpasswd auth, images built in the project's own Docker engine from stand-in base images.
// The cases run in order and share one cluster, registry and project copy (each builds on the state before it).
import { strict as assert } from 'node:assert';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Stack } from '@pulumi/pulumi/automation';
import { E2E_TIMINGS_FILE } from '../../bench/sections/program';
import { DOCKER_HOST, ENGINE, startEngine } from '../../scripts/docker/engine';
import { ensureStandIns, type Arch } from '../../scripts/docker/standins';
import { requireCommands } from '../../scripts/prereqs/commands';
import type { RawStackConfig } from '../../stacks/schema';
import { ChangeLog } from './lib/changes';
import { createCluster, deleteCluster, type Cluster } from './lib/cluster';
import { Kube, type KubeObject } from './lib/kube';
import { apiServerOf, kubeconfigCopies } from './lib/kubeconfig-copies';
import { copyProject } from './lib/project-copy';
import {
  manifestArchitectures,
  parseDigestRef,
  requiresAuth,
  startRegistry,
  stopRegistry,
  type Registry,
} from './lib/registry';
import { openStack, validateConfig, type StackSetup } from './lib/stack';
import { Timings } from './lib/timings';
import { buildTimes, loadToolchain, toolchainPath, type Toolchain } from './lib/toolchain';

/** What the amd64 e2e stack and the k3s-like arm64 one differ in. */
const ARCH_STACKS: Record<Arch, { stackName: string; namespace: string }> = {
  amd64: { stackName: 'e2e', namespace: 'books' },
  arm64: { stackName: 'e2e-arm64', namespace: 'books-arm64' },
};

const DEPLOYMENTS = ['books', 'books-react', 'books-reverse-proxy'] as const;
const SERVICES: Record<string, number> = {
  'books-service': 5000,
  'books-react-service': 3000,
  'books-reverse-proxy-service': 8080,
};
const IMAGE = 'docker:index/image:Image';
const DEPLOYMENT = 'kubernetes:apps/v1:Deployment';
const CONFIG_MAP = 'kubernetes:core/v1:ConfigMap';

const timings = new Timings((line) => console.log(`      ${line}`));
const timed = <T>(label: string, body: () => Promise<T>): Promise<T> => timings.time(label, body);

describe('e2e: pulumi up for real (kwok + registry + Docker engine)', function () {
  let workDir: string;
  let suiteStarted: number;
  let toolchain: Toolchain;
  let cluster: Cluster | undefined;
  let registry: Registry | undefined;
  let kube: Kube;
  let projectDir: string;
  let env: Record<string, string>;

  const stackConfig = (arch: Arch, overrides: Partial<RawStackConfig> = {}): RawStackConfig => {
    return {
      target: 'k3s',
      platform: `linux/${arch}`,
      namespace: ARCH_STACKS[arch].namespace,
      kubernetes: { context: cluster!.context, kubeconfig: cluster!.kubeconfig },
      registry: {
        server: registry!.server,
        repository: `books-e2e/${arch}`,
        username: registry!.username,
        password: registry!.password,
      },
      // No images.* override: the engine's mirror serves the stand-ins under their real names for both platforms,
      // which the Dockerfiles' `FROM --platform=$BUILDPLATFORM` build stages need (an arm64-only name would not do).
      docker: { host: DOCKER_HOST },
      // kwok never assigns a LoadBalancer address: do not wait for one.
      gateway: { awaitAddress: false, jwt: { hs256Key: 'e2e-hs256-key-of-at-least-32-characters!' } },
      // kwok runs no containers, so nothing would reach an in-cluster database anyway.
      database: { url: 'postgresql://books@books-db.invalid:5432/books' },
      ...overrides,
    };
  };

  const pulumiTempDir = (): string => join(workDir, 'tmp');

  const setup = (stackName: string, config: RawStackConfig): StackSetup => ({
    projectDir,
    stackName,
    config,
    env,
    stateDir: join(workDir, 'state'),
    pulumiHome: join(workDir, 'pulumi-home'),
    tempDir: pulumiTempDir(),
    pulumiRoot: dirname(toolchain.pulumi),
  });

  const deploymentsOf = async (namespace: string): Promise<Map<string, KubeObject>> =>
    new Map((await kube.list('deployments', namespace)).map((d) => [d.metadata.name, d]));

  const imageOf = (deployment: KubeObject): string => {
    const spec = deployment.spec as { template: { spec: { containers: { image: string }[] } } };
    return spec.template.spec.containers[0].image;
  };

  before(async function () {
    requireCommands('images', 'e2e');
    const started = Date.now();
    suiteStarted = started;
    toolchain = loadToolchain();
    console.log('      toolchain (cold build time per component, from the build log):');
    for (const [component, seconds] of buildTimes(toolchain)) console.log(`        ${component}: ${seconds} s`);
    workDir = mkdtempSync(join(tmpdir(), 'books-e2e-'));
    env = {
      ...(process.env as Record<string, string>),
      PATH: toolchainPath(toolchain),
      DOCKER_HOST,
      // The stand-in docker provider drives Debian's CLI, which builds with BuildKit without a buildx plugin.
      BOOKS_DOCKER_CLI: ENGINE.cli,
    };
    await startEngine();
    await ensureStandIns(['amd64']);
    registry = await startRegistry(join(workDir, 'registry'), 'e2e', 'e2e-registry-password');
    cluster = await createCluster('books-e2e', join(workDir, 'cluster'), toolchain, env);
    kube = new Kube(cluster, toolchain);
    projectDir = await copyProject(join(workDir, 'project'));
    console.log(`      harness up in ${((Date.now() - started) / 1000).toFixed(1)} s (work dir ${workDir})`);
  });

  after(async function () {
    if (cluster) await deleteCluster(cluster, toolchain);
    if (registry) stopRegistry(registry);
    console.log('      timings:');
    for (const [label, seconds] of timings.entries) console.log(`        ${label}: ${seconds.toFixed(1)} s`);
    // `npm run bench` publishes the no-op preview and first up from this file.
    mkdirSync(dirname(E2E_TIMINGS_FILE), { recursive: true });
    writeFileSync(E2E_TIMINGS_FILE, `${JSON.stringify(Object.fromEntries(timings.entries), null, 2)}\n`);
    if (process.env.BOOKS_E2E_KEEP !== '1') rmSync(workDir, { recursive: true, force: true });
  });

  it('rejects an invalid config before anything touches the cluster', async function () {
    const invalid = stackConfig('amd64', { replicas: { books: 0 } });
    assert.throws(() => validateConfig(invalid, false), /books-platform:replicas\.books/);
    const stack = await openStack(setup('e2e-invalid', invalid), { validate: false });
    await assert.rejects(stack.preview(), /books-platform:replicas\.books/);
    await assert.rejects(stack.up(), /books-platform:replicas\.books/);
    assert.equal(await kube.namespaceExists('books'), false, 'an invalid stack created the namespace');
    await stack.workspace.removeStack('e2e-invalid', { force: true });
  });

  let stack: Stack;

  it('pulumi up builds and pushes the three images and deploys everything', async function () {
    stack = await openStack(setup(ARCH_STACKS.amd64.stackName, stackConfig('amd64')), { validate: true });
    const result = await timed("first pulumi up (images built cold or from the engine's cache)", () =>
      stack.up({ onOutput: () => undefined }),
    );
    assert.equal(result.summary.result, 'succeeded');

    const deployments = await deploymentsOf('books');
    for (const name of DEPLOYMENTS) {
      const deployment = deployments.get(name);
      assert.ok(deployment, `Deployment ${name} missing`);
      const status = deployment.status as {
        availableReplicas?: number;
        conditions?: { type: string; status: string }[];
      };
      assert.equal(status.availableReplicas, 2, `${name} available replicas`);
      assert.ok(
        status.conditions?.some((c) => c.type === 'Available' && c.status === 'True'),
        `${name} not Available`,
      );
      // Every image is a digest the registry holds (and only gives out with credentials).
      const ref = imageOf(deployment);
      parseDigestRef(registry!, ref);
      assert.deepEqual(await manifestArchitectures(registry!, ref), ['amd64'], `${ref} architecture`);
      assert.equal(await requiresAuth(registry!, ref), true, 'the registry served a manifest without credentials');
    }

    const services = new Map((await kube.list('services', 'books')).map((s) => [s.metadata.name, s]));
    for (const [name, port] of Object.entries(SERVICES)) {
      const ports = (services.get(name)?.spec as { ports?: { port: number }[] } | undefined)?.ports ?? [];
      assert.ok(
        ports.some((p) => p.port === port),
        `Service ${name} must expose ${port}`,
      );
    }
    assert.ok((await kube.list('networkpolicies', 'books')).length > 0, 'no NetworkPolicy');
    const configMaps = await kube.list('configmaps', 'books');
    assert.match(
      configMaps.find((c) => c.metadata.name === 'books-reverse-proxy-config')?.data?.['nginx.conf'] ?? '',
      /server\s*\{/,
    );
    const pdbs = (await kube.list('poddisruptionbudgets', 'books')).map((p) => p.metadata.name).sort();
    assert.deepEqual(pdbs, [...DEPLOYMENTS].sort());
    const secrets = (await kube.list('secrets', 'books')).map((s) => s.metadata.name);
    for (const name of ['books-reverse-proxy-jwt', 'books-database'])
      assert.ok(secrets.includes(name), `Secret ${name} missing`);
  });

  it('a second pulumi preview reports no changes', async function () {
    const changes = new ChangeLog();
    const result = await timed('no-op pulumi preview', () => stack.preview({ onEvent: changes.onEvent }));
    assert.deepEqual(changes.changed(), []);
    assert.deepEqual(Object.keys(result.changeSummary), ['same']);
  });

  it("the Kubernetes provider's copies of the kubeconfig stay in the run's own temp dir", function () {
    const server = apiServerOf(cluster!.kubeconfig);
    assert.deepEqual(kubeconfigCopies(tmpdir(), server, suiteStarted), [], `copies in ${tmpdir()}`);
    const inRunTempDir = kubeconfigCopies(pulumiTempDir(), server, suiteStarted);
    // Failing here means the provider no longer copies it: drop TMPDIR from pulumiEnv and the docs' warning.
    assert.ok(inRunTempDir.length > 0, `no copy of the kubeconfig for ${server} in the run's temp dir`);
    console.log(`      ${inRunTempDir.length} copies in the run's temp dir so far, none in ${tmpdir()}`);
  });

  it('a books source change rebuilds only the books image and rolls only its Deployment', async function () {
    const before = await deploymentsOf('books');
    const sourceDir = join(projectDir, 'apps', 'books', 'src');
    const source = join(
      sourceDir,
      readdirSync(sourceDir)
        .filter((f) => f.endsWith('.ts'))
        .sort()[0],
    );
    appendFileSync(source, `\n// e2e: a source change ${Date.now()}\n`);
    const changes = new ChangeLog();
    await timed('pulumi up after a books change', () => stack.up({ onEvent: changes.onEvent }));
    assert.deepEqual(changes.changed(), [`update ${IMAGE}::books`, `update ${DEPLOYMENT}::books`].sort());
    const after = await deploymentsOf('books');
    assert.notEqual(imageOf(after.get('books')!), imageOf(before.get('books')!));
    for (const name of ['books-react', 'books-reverse-proxy']) {
      assert.equal(after.get(name)!.metadata.generation, before.get(name)!.metadata.generation, `${name} rolled`);
    }
  });

  it("a route change rolls the gateway's ConfigMap and Deployment and nothing else", async function () {
    const routesFile = join(projectDir, 'apps', 'books-reverse-proxy', 'src', 'routes.ts');
    const routes = readFileSync(routesFile, 'utf8');
    const from = "methods: ['POST', 'PUT', 'PATCH', 'DELETE'], scope: 'books:write'";
    assert.ok(routes.includes(from), 'routes.ts no longer has the books route this case edits');
    writeFileSync(routesFile, routes.replace(from, "methods: ['POST', 'PUT', 'DELETE'], scope: 'books:write'"));
    const before = await deploymentsOf('books');
    const changes = new ChangeLog();
    await timed('pulumi up after a route change', () => stack.up({ onEvent: changes.onEvent }));
    const changed = changes.changed();
    // pulumi-kubernetes replaces a ConfigMap whose data changes (ConfigMaps are treated as immutable); the gateway
    // image bakes the rendered default nginx.conf, so it may rebuild too. Nothing outside the gateway may change.
    const required = [`replace ${CONFIG_MAP}::gateway`, `update ${DEPLOYMENT}::gateway`];
    const allowed = new Set([...required, `update ${IMAGE}::books-reverse-proxy`]);
    for (const step of required) assert.ok(changed.includes(step), `${step} missing from: ${changed.join(', ')}`);
    assert.deepEqual(
      changed.filter((step) => !allowed.has(step)),
      [],
      'something besides the gateway changed',
    );
    const after = await deploymentsOf('books');
    for (const name of ['books', 'books-react']) {
      assert.equal(after.get(name)!.metadata.generation, before.get(name)!.metadata.generation, `${name} rolled`);
    }
  });

  it('pulumi preview works without registry credentials (the pull-request use)', async function () {
    const withoutCredentials = stackConfig('amd64', {
      registry: { server: registry!.server, repository: 'books-e2e/amd64' },
    });
    validateConfig(withoutCredentials, true);
    const pr = await openStack(setup('e2e-pr', withoutCredentials), { validate: false });
    const result = await timed('pulumi preview without credentials (new stack)', () => pr.preview());
    assert.ok((result.changeSummary.create ?? 0) > 0, 'the preview planned nothing');
    await pr.workspace.removeStack('e2e-pr', { force: true });
  });

  it('a k3s-like linux/arm64 stack builds arm64 images under QEMU and pushes them', async function () {
    await ensureStandIns(['arm64']);
    const arm = await openStack(setup(ARCH_STACKS.arm64.stackName, stackConfig('arm64')), { validate: true });
    await timed('pulumi up linux/arm64 (QEMU)', () => arm.up());
    const deployments = await deploymentsOf(ARCH_STACKS.arm64.namespace);
    for (const name of DEPLOYMENTS) {
      assert.deepEqual(await manifestArchitectures(registry!, imageOf(deployments.get(name)!)), ['arm64'], name);
    }
    await arm.destroy();
  });

  it("a failing image build fails pulumi up with the build's output and rolls nothing", async function () {
    const dockerfile = join(projectDir, 'apps', 'books', 'Dockerfile');
    const original = readFileSync(dockerfile, 'utf8');
    const before = await deploymentsOf('books');
    appendFileSync(dockerfile, '\nRUN echo e2e-broken-build >&2 && false\n');
    try {
      // The behaviour, not a provider's wording (the real pulumi-docker says "error reading build output", the
      // stand-in "docker build … failed"): the update fails and shows the build's own output.
      await assert.rejects(stack.up(), /e2e-broken-build/);
    } finally {
      writeFileSync(dockerfile, original);
    }
    const after = await deploymentsOf('books');
    for (const name of DEPLOYMENTS)
      assert.equal(imageOf(after.get(name)!), imageOf(before.get(name)!), `${name} changed`);
  });

  it('a missing plugin fails loudly instead of being downloaded', async function () {
    const withoutDockerPlugin = {
      ...env,
      PATH: env.PATH.split(':')
        .filter((dir) => dir !== toolchain.dockerProvider)
        .join(':'),
    };
    const pr = await openStack(
      { ...setup('e2e-no-plugin', stackConfig('amd64')), env: withoutDockerPlugin },
      { validate: true },
    );
    // The behaviour: the operation fails naming the docker plugin, and nothing was fetched into PULUMI_HOME.
    await assert.rejects(pr.preview(), /resource plugin[\s\S]*docker|pulumi-resource-docker/);
    const plugins = join(workDir, 'pulumi-home', 'plugins');
    const fetched = existsSync(plugins) ? readdirSync(plugins).filter((entry) => entry.includes('docker')) : [];
    assert.deepEqual(fetched, [], 'a docker plugin was downloaded');
    await pr.workspace.removeStack('e2e-no-plugin', { force: true });
  });

  it('pulumi destroy leaves no object in the namespace', async function () {
    await timed('pulumi destroy', () => stack.destroy());
    for (let i = 0; i < 60 && (await kube.namespaceExists('books')); i++) await new Promise((r) => setTimeout(r, 1000));
    const left = (await kube.namespaceExists('books')) ? await kube.everything('books') : [];
    assert.deepEqual(left, []);
  });

  it('pulumi up of the whole platform with the images already built', async function () {
    await timed('pulumi up from empty state, images cached', () => stack.up());
    assert.equal((await deploymentsOf('books')).size, DEPLOYMENTS.length);
    await stack.destroy();
  });
});

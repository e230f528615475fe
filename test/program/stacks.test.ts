/**
 * The program under Pulumi mocks, once per stack, from the real Pulumi.<stack>.yaml files (plus
 * test values for the secrets users set with --secret): what it registers and what it exports.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { defaultGatewayOptions } from '../../apps/books-reverse-proxy/src/options';
import { renderNginxConf } from '../../apps/books-reverse-proxy/src/render';
import { routes } from '../../apps/books-reverse-proxy/src/routes';
import { gatewayWorkerProcesses } from '../../components/gateway';
import { endpointPropagationSeconds } from '../../components/drain';
import { resourcePolicies, stackPolicies } from '../../policy/policies';
import {
  CapturedResource,
  ProgramRun,
  isSecretValue,
  repoRoot,
  runProgram,
  stackFileConfig,
  testSecrets,
} from './harness';
import { validateManifest } from './openapi';

interface StackExpectation {
  stack: string;
  context: string;
  push: boolean;
  platform: string | undefined;
  registryServer: string | undefined;
  gatewayType: 'LoadBalancer' | 'NodePort';
  gatewayPort: number;
  nodePort?: number;
  /** What the (simulated) cluster reports as the LoadBalancer address. */
  ingress: { ip?: string; hostname?: string }[];
  url: string;
  /** `kubernetes.io/arch` node selector of the app pods (undefined: the local engine's own, any node). */
  arch: string | undefined;
  storageClass: string;
  /** Database (namespace, StatefulSet, Secret) left in the cluster on destroy. */
  retain: boolean;
  /** Annotations of the gateway's Service: the target's load balancer settings (none waits for an address). */
  serviceAnnotations: Record<string, string> | undefined;
}

const expectations: StackExpectation[] = [
  {
    stack: 'dev',
    context: 'docker-desktop',
    push: false,
    platform: undefined,
    registryServer: undefined,
    gatewayType: 'LoadBalancer',
    gatewayPort: 80,
    ingress: [{ hostname: 'localhost' }],
    url: 'http://localhost',
    arch: undefined,
    storageClass: 'hostpath',
    retain: false,
    serviceAnnotations: undefined,
  },
  {
    stack: 'minikube',
    context: 'minikube',
    push: false,
    platform: undefined,
    registryServer: undefined,
    gatewayType: 'NodePort',
    gatewayPort: 80,
    nodePort: 30080,
    ingress: [],
    url: 'http://192.168.49.2:30080',
    arch: undefined,
    storageClass: 'standard',
    retain: false,
    serviceAnnotations: undefined,
  },
  {
    stack: 'k3s',
    context: 'default',
    push: true,
    platform: 'linux/arm64',
    registryServer: 'registry.example.com:5000',
    gatewayType: 'LoadBalancer',
    gatewayPort: 8080,
    ingress: [{ ip: '192.168.1.50' }],
    url: 'http://192.168.1.50:8080',
    arch: 'arm64',
    storageClass: 'local-path',
    retain: true,
    serviceAnnotations: undefined,
  },
  {
    stack: 'aks',
    context: 'books-aks',
    push: true,
    platform: 'linux/amd64',
    registryServer: 'registry.example.com',
    gatewayType: 'LoadBalancer',
    gatewayPort: 80,
    ingress: [{ ip: '20.1.2.3' }],
    url: 'http://20.1.2.3',
    arch: 'amd64',
    storageClass: 'managed-csi',
    retain: true,
    serviceAnnotations: undefined,
  },
  {
    stack: 'eks',
    context: 'books-eks',
    push: true,
    platform: 'linux/amd64',
    registryServer: 'registry.example.com',
    gatewayType: 'LoadBalancer',
    gatewayPort: 80,
    ingress: [{ hostname: 'a1b2c3-123.eu-west-1.elb.example' }],
    url: 'http://a1b2c3-123.eu-west-1.elb.example',
    arch: 'amd64',
    storageClass: 'gp2',
    retain: true,
    serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
  },
  {
    stack: 'gke',
    context: 'books-gke',
    push: true,
    platform: 'linux/amd64',
    registryServer: 'registry.example.com',
    gatewayType: 'LoadBalancer',
    gatewayPort: 80,
    ingress: [{ ip: '34.1.2.3' }],
    url: 'http://34.1.2.3',
    arch: 'amd64',
    storageClass: 'standard-rwo',
    retain: true,
    serviceAnnotations: undefined,
  },
];

const booksRoute = routes.find((route) => route.name === 'books')!.backend;
const webRoute = routes.find((route) => route.name === 'web')!.backend;
const apps = { books: 'books', booksReact: 'books-react', gateway: 'books-reverse-proxy' } as const;
const workloadTypes = ['kubernetes:apps/v1:Deployment', 'kubernetes:apps/v1:StatefulSet'];

function only(run: ProgramRun, type: string, name?: string): CapturedResource[] {
  return run.resources.filter(
    (resource) => resource.type === type && (name === undefined || resource.inputs.metadata?.name === name),
  );
}

function one(run: ProgramRun, type: string, name: string): CapturedResource {
  const found = only(run, type, name);
  assert.equal(found.length, 1, `expected one ${type} named ${name}, found ${found.length}`);
  return found[0]!;
}

for (const expected of expectations) {
  describe(`stack ${expected.stack} (Pulumi.${expected.stack}.yaml under mocks)`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram(stackFileConfig(expected.stack), {
        stack: expected.stack,
        loadBalancerIngress: expected.ingress,
      });
    });

    it("builds the three images for the target's platform, pushing only where the cluster pulls from a registry", () => {
      const images = only(run, 'docker:index/image:Image');
      assert.deepEqual(images.map((image) => image.name).sort(), Object.values(apps).sort());
      for (const image of images) {
        assert.equal(image.inputs.skipPush, !expected.push, `${image.name} skipPush`);
        assert.equal(image.inputs.build.platform, expected.platform, `${image.name} platform`);
        // Relative to the project directory: a checkout at another path previews with no changes.
        assert.equal(image.inputs.build.context, `apps/${image.name}`);
        assert.equal(image.inputs.build.dockerfile, `apps/${image.name}/Dockerfile`);
        assert.ok(!JSON.stringify(image.inputs).includes(repoRoot), `${image.name}: no absolute path in its inputs`);
        assert.notEqual(image.inputs.buildOnPreview, true, 'previews must not build');
        assert.equal(image.inputs.registry?.server, expected.registryServer);
        const repository = `${expected.registryServer ? `${expected.registryServer}/` : ''}books-platform/${image.name}`;
        assert.match(image.inputs.imageName, new RegExp(`^${repository.replace(/\./g, '\\.')}:[0-9a-f]{20}$`));
      }
    });

    it("runs each Deployment on its image's digest (pushed, IfNotPresent) or content tag (local, Never pulled)", () => {
      for (const [key, app] of Object.entries(apps)) {
        const image = run.resources.find(
          (resource) => resource.type === 'docker:index/image:Image' && resource.name === app,
        )!;
        const ref = expected.push ? image.state.repoDigest : image.inputs.imageName;
        if (expected.push) assert.match(ref, /@sha256:[0-9a-f]{64}$/);
        assert.equal((run.outputs.imageRefs as Record<string, string>)[key], ref);
        const deploymentName = app === 'books-reverse-proxy' ? 'books-reverse-proxy' : app;
        const container = one(run, 'kubernetes:apps/v1:Deployment', deploymentName).inputs.spec.template.spec
          .containers[0];
        assert.equal(container.image, ref);
        // A local image pruned from the node must never be looked up on Docker Hub under its bare name.
        assert.equal(container.imagePullPolicy, expected.push ? 'IfNotPresent' : 'Never');
      }
    });

    it("schedules the app pods on nodes of the images' architecture only", () => {
      for (const name of ['books', 'books-react', 'books-reverse-proxy']) {
        const pod = one(run, 'kubernetes:apps/v1:Deployment', name).inputs.spec.template.spec;
        assert.deepEqual(
          pod.nodeSelector,
          expected.arch === undefined ? undefined : { 'kubernetes.io/arch': expected.arch },
          name,
        );
      }
    });

    it("claims the database volume from the target's StorageClass, kept on destroy outside laptops", () => {
      const statefulSet = one(run, 'kubernetes:apps/v1:StatefulSet', 'books-postgres');
      assert.equal(statefulSet.inputs.spec.volumeClaimTemplates[0].spec.storageClassName, expected.storageClass);
      assert.deepEqual(statefulSet.inputs.spec.persistentVolumeClaimRetentionPolicy, {
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      });
      assert.equal(statefulSet.retainOnDelete, expected.retain, 'StatefulSet retainOnDelete');
      assert.equal(one(run, 'kubernetes:core/v1:Namespace', 'books').retainOnDelete, expected.retain, 'namespace');
      assert.equal(one(run, 'kubernetes:core/v1:Secret', 'books-database').retainOnDelete, expected.retain, 'Secret');
      const retained = run.resources.filter(
        (resource) => resource.custom && resource.retainOnDelete && resource.type.startsWith('kubernetes:'),
      );
      assert.equal(retained.length, expected.retain ? 3 : 0, 'nothing else is retained');
    });

    it('runs 2 replicas of each service with zero-unavailable rolling updates, spread over nodes', () => {
      for (const name of ['books', 'books-react', 'books-reverse-proxy']) {
        const spec = one(run, 'kubernetes:apps/v1:Deployment', name).inputs.spec;
        assert.equal(spec.replicas, 2);
        assert.deepEqual(spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
        assert.equal(spec.template.spec.topologySpreadConstraints[0].topologyKey, 'kubernetes.io/hostname');
        assert.deepEqual(
          spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels,
          spec.selector.matchLabels,
        );
      }
    });

    it('names the Services as the original design and the route table do, and exposes only the gateway', () => {
      const services = only(run, 'kubernetes:core/v1:Service');
      const byName = Object.fromEntries(services.map((service) => [service.inputs.metadata.name, service.inputs.spec]));
      // The seed's contract: runbooks written against it must find these.
      assert.deepEqual([booksRoute.service, webRoute.service], ['books-service', 'books-react-service']);
      assert.ok(byName['books-reverse-proxy-service'], 'the gateway Service keeps the seed name');
      assert.deepEqual(
        Object.keys(byName).sort(),
        [booksRoute.service, webRoute.service, 'books-reverse-proxy-service', 'books-postgres'].sort(),
      );
      assert.deepEqual(
        [byName[booksRoute.service].type, byName[booksRoute.service].ports[0].port],
        ['ClusterIP', 5000],
      );
      assert.deepEqual([byName[webRoute.service].type, byName[webRoute.service].ports[0].port], ['ClusterIP', 3000]);
      assert.deepEqual([byName['books-postgres'].type, byName['books-postgres'].ports[0].port], ['ClusterIP', 5432]);
      assert.equal(byName['books-postgres'].clusterIP, 'None', "the StatefulSet's governing Service is headless");
      const gateway = byName['books-reverse-proxy-service'];
      assert.equal(gateway.type, expected.gatewayType);
      assert.equal(gateway.ports[0].port, expected.gatewayPort);
      assert.equal(gateway.ports[0].targetPort, 'http');
      assert.equal(gateway.ports[0].nodePort, expected.nodePort);
      assert.deepEqual(
        gateway.ports.map((port: { port: number }) => port.port),
        [expected.gatewayPort],
        'metrics never published',
      );
      const annotations = one(run, 'kubernetes:core/v1:Service', 'books-reverse-proxy-service').inputs.metadata
        .annotations;
      assert.deepEqual(annotations, expected.serviceAnnotations, "the target's load balancer annotations");
      assert.equal(gateway.externalTrafficPolicy, expected.gatewayType === 'LoadBalancer' ? 'Local' : undefined);
    });

    it('gives every pod probes, requests and limits, and the restricted security context', () => {
      const workloads = run.resources.filter((resource) => workloadTypes.includes(resource.type));
      assert.equal(workloads.length, 4);
      for (const workload of workloads) {
        const pod = workload.inputs.spec.template.spec;
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
        assert.equal(pod.securityContext.fsGroupChangePolicy, 'OnRootMismatch');
        assert.equal(pod.automountServiceAccountToken, false);
        for (const container of pod.containers) {
          const where = `${workload.inputs.metadata.name}/${container.name}`;
          assert.ok(container.livenessProbe && container.readinessProbe, `${where} probes`);
          if (workload.type === 'kubernetes:apps/v1:Deployment') {
            // Ready as soon as the app answers (each rollout step waits for it), yet a minute for a slow start.
            assert.equal(container.startupProbe.periodSeconds, 1, `${where}: startup probed every second`);
            assert.ok(
              container.startupProbe.periodSeconds * container.startupProbe.failureThreshold >= 60,
              `${where}: a minute to start`,
            );
          }
          // An overloaded pod leaves the rotation (readiness); only a dead one is restarted (liveness).
          assert.notDeepEqual(
            container.livenessProbe,
            container.readinessProbe,
            `${where}: liveness repeats readiness`,
          );
          for (const bound of ['requests', 'limits']) {
            assert.ok(container.resources[bound].cpu && container.resources[bound].memory, `${where} ${bound}`);
          }
          const uid = container.name === 'postgres' ? 999 : 10001;
          assert.deepEqual(container.securityContext, {
            runAsNonRoot: true,
            runAsUser: uid,
            runAsGroup: uid,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            privileged: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          });
        }
      }
    });

    it("drains every Deployment: a preStop sleep before SIGTERM, a grace period covering it and the app's deadline", () => {
      const conf: string = one(run, 'kubernetes:core/v1:ConfigMap', 'books-reverse-proxy-config').inputs.data[
        'nginx.conf'
      ];
      const books = one(run, 'kubernetes:apps/v1:Deployment', 'books').inputs.spec.template.spec.containers[0];
      const timeout = books.env.find((variable: { name: string }) => variable.name === 'SHUTDOWN_TIMEOUT_MS');
      // Each app's drain deadline as the deployed artefacts state it (books-react's is fixed in its server).
      const deadlines: Record<string, number> = {
        books: Number(timeout?.value) / 1000,
        'books-react': 10,
        'books-reverse-proxy': Number(/^\s*worker_shutdown_timeout (\d+)s;$/m.exec(conf)?.[1]),
      };
      const expectedStops: Record<string, { sleep: number; grace: number }> = {
        books: { sleep: 8, grace: 33 },
        'books-react': { sleep: 8, grace: 23 },
        'books-reverse-proxy': { sleep: 10, grace: 35 },
      };
      const deployments = only(run, 'kubernetes:apps/v1:Deployment');
      assert.deepEqual(deployments.map((d) => d.inputs.metadata.name).sort(), Object.keys(expectedStops).sort());
      for (const deployment of deployments) {
        const name: string = deployment.inputs.metadata.name;
        const pod = deployment.inputs.spec.template.spec;
        const { sleep, grace } = expectedStops[name]!;
        for (const container of pod.containers) {
          assert.deepEqual(
            container.lifecycle,
            { preStop: { sleep: { seconds: sleep } } },
            `${name}/${container.name}`,
          );
        }
        assert.equal(pod.terminationGracePeriodSeconds, grace, `${name} grace period`);
        assert.ok(deadlines[name]! > 0, `${name} deadline known`);
        assert.ok(grace > sleep + deadlines[name]!, `${name}: ${grace} s cover ${sleep} s + ${deadlines[name]} s`);
      }
    });

    it('keeps each backend pod serving until the gateway has retired its kept connections to it', () => {
      const conf: string = one(run, 'kubernetes:core/v1:ConfigMap', 'books-reverse-proxy-config').inputs.data[
        'nginx.conf'
      ];
      // Every upstream block of the deployed config: how long a connection may carry new requests, and stay idle.
      const blocks = [...conf.matchAll(/^\s*upstream (\S+) \{([^}]*)\}/gm)];
      assert.deepEqual(blocks.map((block) => block[1]).sort(), ['books', 'web']);
      const seconds = (block: string, directive: string): number => {
        const value = new RegExp(`^\\s*${directive} (\\d+)s;$`, 'm').exec(block)?.[1];
        assert.ok(value, `upstream block without ${directive}:\n${block}`);
        return Number(value);
      };
      const deploymentFor: Record<string, string> = { books: 'books', web: 'books-react' };
      for (const [, route, block] of blocks) {
        const kept = seconds(block!, 'keepalive_time') + seconds(block!, 'keepalive_timeout');
        const pod = one(run, 'kubernetes:apps/v1:Deployment', deploymentFor[route!]!).inputs.spec.template.spec;
        const sleep: number = pod.containers[0].lifecycle.preStop.sleep.seconds;
        assert.ok(
          sleep >= endpointPropagationSeconds + kept,
          `${route}: a preStop sleep of ${sleep} s ends before ${endpointPropagationSeconds} s of endpoint propagation + ${kept} s of kept connections`,
        );
      }
    });

    it('names every object of the gateway after its image, books-reverse-proxy', () => {
      for (const type of [
        'kubernetes:apps/v1:Deployment',
        'kubernetes:policy/v1:PodDisruptionBudget',
        'kubernetes:networking.k8s.io/v1:NetworkPolicy',
      ]) {
        one(run, type, 'books-reverse-proxy');
      }
      one(run, 'kubernetes:core/v1:ConfigMap', 'books-reverse-proxy-config');
      one(run, 'kubernetes:core/v1:Secret', 'books-reverse-proxy-jwt');
      const named = run.resources.filter((resource) => resource.type.startsWith('kubernetes:'));
      assert.ok(!JSON.stringify(named.map((resource) => resource.inputs.metadata?.name)).includes('gateway'));
    });

    it('labels the namespace to enforce Pod Security Standards restricted', () => {
      const namespace = one(run, 'kubernetes:core/v1:Namespace', 'books');
      assert.equal(namespace.inputs.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
    });

    it('covers every Deployment with a PodDisruptionBudget selecting its pods', () => {
      for (const deployment of only(run, 'kubernetes:apps/v1:Deployment')) {
        const pdb = one(run, 'kubernetes:policy/v1:PodDisruptionBudget', deployment.inputs.metadata.name);
        assert.deepEqual(pdb.inputs.spec.selector.matchLabels, deployment.inputs.spec.selector.matchLabels);
        assert.equal(pdb.inputs.spec.maxUnavailable, 1);
      }
    });

    it('denies ingress and egress by default; each workload admits its callers and reaches its callees only', () => {
      const policies = Object.fromEntries(
        only(run, 'kubernetes:networking.k8s.io/v1:NetworkPolicy').map((policy) => [
          policy.inputs.metadata.name,
          policy.inputs.spec,
        ]),
      );
      const gatewayPods = {
        'app.kubernetes.io/name': 'books-reverse-proxy',
        'app.kubernetes.io/part-of': 'books-platform',
      };
      assert.deepEqual(policies['default-deny-ingress'], { podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
      for (const [name, port] of [
        ['books', 5000],
        ['books-react', 3000],
      ] as const) {
        assert.deepEqual(policies[name].podSelector.matchLabels['app.kubernetes.io/name'], name);
        assert.deepEqual(policies[name].ingress, [
          { from: [{ podSelector: { matchLabels: gatewayPods } }], ports: [{ protocol: 'TCP', port }] },
        ]);
      }
      assert.deepEqual(policies['books-postgres'].ingress[0].from, [
        {
          podSelector: {
            matchLabels: { 'app.kubernetes.io/name': 'books', 'app.kubernetes.io/part-of': 'books-platform' },
          },
        },
      ]);
      const postgresPods = {
        'app.kubernetes.io/name': 'books-postgres',
        'app.kubernetes.io/part-of': 'books-platform',
      };
      assert.deepEqual(policies['default-deny-egress'], { podSelector: {}, policyTypes: ['Egress'], egress: [] });
      assert.deepEqual(policies['database-clients-egress'].egress, [
        { to: [{ podSelector: { matchLabels: postgresPods } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      ]);
      assert.deepEqual(
        policies['books-reverse-proxy'].egress.map((rule: { ports: { port: number }[] }) => rule.ports[0]!.port),
        [5000, 3000],
      );
      assert.equal(policies['cluster-dns-egress'].egress[0].ports.length, 2);
      const gateway = policies['books-reverse-proxy'];
      assert.deepEqual(gateway.ingress[0], { ports: [{ protocol: 'TCP', port: 8080 }] }, 'HTTP from anywhere');
      assert.deepEqual(
        gateway.ingress[1],
        { from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 9145 }] },
        'metrics from the namespace',
      );
    });

    it('mounts nginx.conf rendered from the route table, with its checksum on the pod template', () => {
      const limit: string = one(run, 'kubernetes:apps/v1:Deployment', 'books-reverse-proxy').inputs.spec.template.spec
        .containers[0].resources.limits.cpu;
      const expectedConf = renderNginxConf({
        ...defaultGatewayOptions(),
        // From the Deployment's own CPU limit; the mapping itself is pinned by pure.test.ts's table.
        workerProcesses: gatewayWorkerProcesses(limit),
        backends: {
          kind: 'dns',
          namespace: 'books',
          clusterDomain: 'cluster.local',
          refreshSeconds: 5,
          copiesPerAddress: 2,
        },
        jwt: { ...defaultGatewayOptions().jwt, algorithms: ['HS256'] },
      });
      const configMap = one(run, 'kubernetes:core/v1:ConfigMap', 'books-reverse-proxy-config');
      assert.equal(configMap.inputs.data['nginx.conf'], expectedConf);
      const template = one(run, 'kubernetes:apps/v1:Deployment', 'books-reverse-proxy').inputs.spec.template;
      assert.equal(
        template.metadata.annotations['books-platform/config-checksum'],
        createHash('sha256').update(expectedConf).digest('hex'),
      );
      const mounts = template.spec.containers[0].volumeMounts;
      assert.deepEqual(
        mounts.map((mount: { mountPath: string }) => mount.mountPath),
        ['/etc/gateway/nginx.conf', '/etc/gateway/jwt', '/tmp'],
      );
    });

    it('keeps every credential a Pulumi secret, and gives books the database password from the Secret', () => {
      const secrets = only(run, 'kubernetes:core/v1:Secret');
      assert.deepEqual(secrets.map((secret) => secret.inputs.metadata.name).sort(), [
        'books-database',
        'books-reverse-proxy-jwt',
      ]);
      for (const secret of secrets) {
        const stringData = secret.rawInputs.stringData as Record<string, unknown>;
        assert.ok(
          isSecretValue(stringData) || Object.values(stringData).every(isSecretValue),
          `${secret.name} stringData is a secret`,
        );
      }
      assert.equal(
        one(run, 'kubernetes:core/v1:Secret', 'books-reverse-proxy-jwt').inputs.stringData['hs256.key'],
        testSecrets['gateway.jwt.hs256Key'],
      );
      const env = one(run, 'kubernetes:apps/v1:Deployment', 'books').inputs.spec.template.spec.containers[0].env;
      const password = env.find((variable: { name: string }) => variable.name === 'PGPASSWORD');
      assert.deepEqual(password.valueFrom, { secretKeyRef: { name: 'books-database', key: 'password' } });
      assert.ok(
        !JSON.stringify(
          run.resources.filter((r) => r.type.startsWith('kubernetes:apps')).map((r) => r.inputs),
        ).includes(testSecrets['database.password']),
      );
    });

    it('exports the gateway URL the target gives, the image references and the namespace', () => {
      assert.equal(run.outputs.gatewayUrl, expected.url);
      assert.equal(run.outputs.namespaceName, 'books');
    });

    it('registers every resource through the one explicit provider of its package', () => {
      for (const resource of run.resources.filter((candidate) => candidate.custom)) {
        if (resource.type.startsWith('pulumi:providers:')) continue;
        const pkg = resource.type.split(':')[0];
        assert.match(
          resource.provider ?? '',
          new RegExp(`::pulumi:providers:${pkg}::${pkg}::`),
          `${resource.type} ${resource.name}`,
        );
      }
      const providers = run.resources.filter((resource) => resource.type === 'pulumi:providers:kubernetes');
      assert.equal(providers.length, 1);
      assert.equal(providers[0]!.inputs.context, expected.context, 'the context, a plain config value');
      assert.equal(providers[0]!.inputs.kubeconfig, undefined, 'never computed kubeconfig content');
      const docker = run.resources.filter((resource) => resource.type === 'pulumi:providers:docker');
      assert.equal(docker.length, 1);
      // No stack file commits an engine address: DOCKER_HOST (e.g. from `minikube docker-env`) decides.
      assert.deepEqual([docker[0]!.inputs.host, docker[0]!.inputs.certPath], [undefined, undefined]);
    });

    it('registers manifests that validate against the Kubernetes OpenAPI schemas', async () => {
      const manifests = run.resources.filter(
        (resource) =>
          resource.custom &&
          resource.type.startsWith('kubernetes:') &&
          !resource.type.startsWith('kubernetes:providers'),
      );
      assert.ok(manifests.length >= 15);
      for (const manifest of manifests) await validateManifest(manifest.type, manifest.inputs);
      // The schema knows the preStop sleep action (it does not refuse unknown fields, so check it does read this one).
      const books = one(run, 'kubernetes:apps/v1:Deployment', 'books');
      const withoutSeconds = structuredClone(books.inputs);
      withoutSeconds.spec.template.spec.containers[0].lifecycle.preStop.sleep = {};
      await assert.rejects(
        validateManifest(books.type, withoutSeconds),
        /lifecycle\/preStop\/sleep must have required property seconds/,
      );
    });

    it('passes every policy of the policy pack', () => {
      const violations: string[] = [];
      for (const resource of run.resources.filter((candidate) => candidate.custom)) {
        for (const policy of resourcePolicies) {
          policy.validateResource(
            {
              type: resource.type,
              props: resource.inputs,
              opts: { additionalSecretOutputs: resource.additionalSecretOutputs },
            },
            (message) => violations.push(`${policy.name} ${resource.type} ${resource.name}: ${message}`),
          );
        }
      }
      const stackResources = run.resources.map((resource) => ({
        type: resource.type,
        props: resource.inputs,
        urn: resource.name,
      }));
      for (const policy of stackPolicies) {
        policy.validateStack({ resources: stackResources }, (message) => violations.push(`${policy.name}: ${message}`));
      }
      assert.deepEqual(violations, []);
    });
  });
}

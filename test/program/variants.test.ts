/** Stack files plus one change each, under mocks: the variants a user switches on with one key. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CapturedResource,
  ProgramRun,
  isSecretValue,
  runProgram,
  setPath,
  stackFileConfig,
  testSecrets,
} from './harness';

/** Every pod that pulls a project image or the database image. */
const pods = [
  ['kubernetes:apps/v1:Deployment', 'books'],
  ['kubernetes:apps/v1:Deployment', 'books-react'],
  ['kubernetes:apps/v1:Deployment', 'books-reverse-proxy'],
  ['kubernetes:apps/v1:StatefulSet', 'books-postgres'],
] as const;

function find(run: ProgramRun, type: string, name: string): CapturedResource | undefined {
  return run.resources.find((resource) => resource.type === type && resource.inputs.metadata?.name === name);
}

describe('variants of a stack', () => {
  it('TLS on aks: both 80 (the redirect) and 443 published, certificate mounted, 8443 open, https URL', async () => {
    const input = stackFileConfig('aks');
    setPath(input, 'gateway.tlsSecret', 'books-tls');
    const run = await runProgram(input, { stack: 'aks', loadBalancerIngress: [{ ip: '20.1.2.3' }] });
    const service = find(run, 'kubernetes:core/v1:Service', 'books-reverse-proxy-service')!;
    assert.deepEqual(service.inputs.spec.ports, [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
    const pod = find(run, 'kubernetes:apps/v1:Deployment', 'books-reverse-proxy')!.inputs.spec.template.spec;
    assert.deepEqual(pod.volumes.at(-1), { name: 'tls', secret: { secretName: 'books-tls', defaultMode: 0o440 } });
    assert.ok(pod.containers[0].ports.some((port: { containerPort: number }) => port.containerPort === 8443));
    assert.equal(pod.containers[0].readinessProbe.httpGet.port, 'http', 'probes stay on the plain port');
    const policy = find(run, 'kubernetes:networking.k8s.io/v1:NetworkPolicy', 'books-reverse-proxy')!;
    assert.deepEqual(policy.inputs.spec.ingress[0].ports, [
      { protocol: 'TCP', port: 8080 },
      { protocol: 'TCP', port: 8443 },
    ]);
    const conf: string = find(run, 'kubernetes:core/v1:ConfigMap', 'books-reverse-proxy-config')!.inputs.data[
      'nginx.conf'
    ];
    assert.match(conf, /\/etc\/gateway\/tls\/tls\.crt/);
    assert.match(conf, /return 308 https:\/\/\$host\$request_uri;/, 'the redirect names the published HTTPS port');
    assert.equal(run.outputs.gatewayUrl, 'https://20.1.2.3');
  });

  it('trusted proxies on eks: the ConfigMap takes the client address from X-Forwarded-For of those ranges only', async () => {
    const input = stackFileConfig('eks');
    setPath(input, 'gateway.trustedProxies', ['10.0.0.0/16', 'fd00:10::/64']);
    const run = await runProgram(input, { stack: 'eks' });
    const configMap = find(run, 'kubernetes:core/v1:ConfigMap', 'books-reverse-proxy-config')!;
    const conf: string = configMap.inputs.data['nginx.conf'];
    assert.deepEqual(
      conf.match(/^\s*set_real_ip_from .*$/gm)?.map((line) => line.trim()),
      ['set_real_ip_from 10.0.0.0/16;', 'set_real_ip_from fd00:10::/64;'],
    );
    assert.match(conf, /^\s*real_ip_header X-Forwarded-For;$/m);
    assert.match(conf, /^\s*real_ip_recursive on;$/m);
    const annotations = find(run, 'kubernetes:apps/v1:Deployment', 'books-reverse-proxy')!.inputs.spec.template.metadata
      .annotations;
    assert.equal(
      annotations['books-platform/config-checksum'],
      createHash('sha256').update(conf).digest('hex'),
      'the pods roll when the trusted ranges change',
    );
  });

  it('an external database: no PostgreSQL, books gets DATABASE_URL from the Secret', async () => {
    const input = stackFileConfig('gke');
    setPath(input, 'database', { url: 'postgres://books:pw@10.0.0.5:5432/books' }, { secret: true });
    const run = await runProgram(input, { stack: 'gke' });
    assert.equal(find(run, 'kubernetes:apps/v1:StatefulSet', 'books-postgres'), undefined);
    assert.equal(find(run, 'kubernetes:core/v1:Service', 'books-postgres'), undefined);
    assert.equal(find(run, 'kubernetes:networking.k8s.io/v1:NetworkPolicy', 'books-postgres'), undefined);
    const env = find(run, 'kubernetes:apps/v1:Deployment', 'books')!.inputs.spec.template.spec.containers[0].env;
    assert.deepEqual(
      env.find((variable: { name: string }) => variable.name === 'DATABASE_URL'),
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'books-database', key: 'url' } } },
    );
    assert.ok(!env.some((variable: { name: string }) => variable.name.startsWith('PG')));
  });

  it('minikube with a tunnel: a LoadBalancer the tunnel gives an address to', async () => {
    const input = stackFileConfig('minikube');
    setPath(input, 'gateway.tunnel', true);
    const run = await runProgram(input, { stack: 'minikube', loadBalancerIngress: [{ ip: '127.0.0.1' }] });
    const service = find(run, 'kubernetes:core/v1:Service', 'books-reverse-proxy-service')!;
    assert.equal(service.inputs.spec.type, 'LoadBalancer');
    assert.equal(service.inputs.metadata.annotations, undefined, 'waits for the address');
    assert.equal(run.outputs.gatewayUrl, 'http://127.0.0.1', 'the address the tunnel gave, not the node');
  });

  it('a cluster without a load balancer controller: awaitAddress false skips the wait', async () => {
    const input = stackFileConfig('k3s');
    setPath(input, 'gateway.awaitAddress', false);
    const run = await runProgram(input, { stack: 'k3s' });
    const service = find(run, 'kubernetes:core/v1:Service', 'books-reverse-proxy-service')!;
    assert.deepEqual(service.inputs.metadata.annotations, { 'pulumi.com/skipAwait': 'true' });
    assert.equal(run.outputs.gatewayUrl, 'http://books-reverse-proxy-service.books.svc.cluster.local:8080');
  });

  it('base-image overrides reach every build as BASE_IMAGE / NODE_IMAGE, and change the tags', async () => {
    const plain = await runProgram(stackFileConfig('k3s'), { stack: 'k3s' });
    const input = stackFileConfig('k3s');
    setPath(input, 'images', {
      baseImage: 'mirror.example/debian:bookworm-slim',
      nodeImage: 'mirror.example/node:24-bookworm-slim',
    });
    const run = await runProgram(input, { stack: 'k3s' });
    const images = run.resources.filter((resource) => resource.type === 'docker:index/image:Image');
    for (const image of images) {
      assert.deepEqual(image.inputs.build.args, {
        BASE_IMAGE: 'mirror.example/debian:bookworm-slim',
        NODE_IMAGE: 'mirror.example/node:24-bookworm-slim',
      });
      const before = plain.resources.find((resource) => resource.type === image.type && resource.name === image.name)!;
      assert.notEqual(image.inputs.imageName, before.inputs.imageName);
    }
  });

  it('registry credentials: the program creates the pull Secret in its namespace, and all four pods list it', async () => {
    const input = stackFileConfig('k3s');
    setPath(input, 'registry.credentialHelper', undefined);
    setPath(input, 'registry.username', 'books-ci');
    setPath(input, 'registry.password', 'registry-password-0123', { secret: true });
    setPath(input, 'database.image', 'registry.example.com:5000/mirror/postgres:17.6-bookworm');
    const run = await runProgram(input, { stack: 'k3s' });
    const secret = find(run, 'kubernetes:core/v1:Secret', 'books-registry')!;
    assert.equal(secret.inputs.type, 'kubernetes.io/dockerconfigjson');
    assert.equal(secret.inputs.metadata.namespace, 'books');
    const raw = secret.rawInputs.stringData;
    assert.ok(isSecretValue(raw) || isSecretValue(raw['.dockerconfigjson']), 'its content is a Pulumi secret');
    assert.deepEqual(JSON.parse(secret.inputs.stringData['.dockerconfigjson']), {
      auths: {
        'registry.example.com:5000': {
          username: 'books-ci',
          password: 'registry-password-0123',
          auth: Buffer.from('books-ci:registry-password-0123').toString('base64'),
        },
      },
    });
    for (const [type, name] of pods) {
      assert.deepEqual(find(run, type, name)!.inputs.spec.template.spec.imagePullSecrets, [{ name: 'books-registry' }]);
    }
  });

  it('an existing pull Secret (registry.pullSecret) is listed by all four pods too; no credentials, no Secret', async () => {
    const input = stackFileConfig('aks');
    setPath(input, 'registry.pullSecret', 'acr-pull');
    const run = await runProgram(input, { stack: 'aks' });
    assert.equal(find(run, 'kubernetes:core/v1:Secret', 'books-registry'), undefined);
    for (const [type, name] of pods) {
      assert.deepEqual(find(run, type, name)!.inputs.spec.template.spec.imagePullSecrets, [{ name: 'acr-pull' }]);
    }
  });

  it('a new database.password rolls PostgreSQL (whose postStart sets the role password) and books', async () => {
    const before = await runProgram(stackFileConfig('gke'), { stack: 'gke' });
    const input = stackFileConfig('gke');
    setPath(input, 'database.password', 'rotated-database-password-9876543210', { secret: true });
    const after = await runProgram(input, { stack: 'gke' });
    const annotation = 'books-platform/database-credential-checksum';
    for (const [type, name] of [
      ['kubernetes:apps/v1:StatefulSet', 'books-postgres'],
      ['kubernetes:apps/v1:Deployment', 'books'],
    ] as const) {
      const was = find(before, type, name)!.inputs.spec.template.metadata.annotations[annotation];
      const is = find(after, type, name)!;
      assert.match(was, /^[0-9a-f]{64}$/);
      assert.notEqual(
        was,
        createHash('sha256').update(testSecrets['database.password']).digest('hex'),
        'not a fast hash of the password',
      );
      assert.notEqual(is.inputs.spec.template.metadata.annotations[annotation], was, `${name} rolls`);
      assert.ok(!JSON.stringify(is.inputs).includes('rotated-database-password'), `${name}: no password inline`);
    }
    const unchanged = await runProgram(stackFileConfig('gke'), { stack: 'gke' });
    assert.equal(
      find(unchanged, 'kubernetes:apps/v1:Deployment', 'books')!.inputs.spec.template.metadata.annotations[annotation],
      find(before, 'kubernetes:apps/v1:Deployment', 'books')!.inputs.spec.template.metadata.annotations[annotation],
      'the same password does not roll anything',
    );
    const postgres = find(after, 'kubernetes:apps/v1:StatefulSet', 'books-postgres')!.inputs.spec.template.spec
      .containers[0];
    const [shell, flag, script] = postgres.lifecycle.postStart.exec.command;
    assert.deepEqual([shell, flag], ['/bin/sh', '-c']);
    assert.match(script, /ALTER ROLE books PASSWORD :'password';/);
    assert.match(script, /-v password="\$POSTGRES_PASSWORD"/, 'the password from the Secret-backed env');
    assert.match(script, /-h \/var\/run\/postgresql -U books -d postgres/);
    assert.ok(
      postgres.env.some((variable: { name: string; valueFrom?: unknown }) => variable.name === 'POSTGRES_PASSWORD'),
    );
  });

  it('kubernetes.clusterIdentifier and, on a laptop stack, deleteUnreachable reach the Kubernetes provider', async () => {
    const input = stackFileConfig('minikube');
    setPath(input, 'kubernetes.clusterIdentifier', 'laptop-minikube');
    setPath(input, 'kubernetes.deleteUnreachable', true);
    const run = await runProgram(input, { stack: 'minikube' });
    const provider = run.resources.find((resource) => resource.type === 'pulumi:providers:kubernetes')!;
    assert.equal(provider.inputs.clusterIdentifier, 'laptop-minikube');
    assert.equal(provider.inputs.deleteUnreachable, 'true');
    const plain = await runProgram(stackFileConfig('minikube'), { stack: 'minikube' });
    const defaults = plain.resources.find((resource) => resource.type === 'pulumi:providers:kubernetes')!;
    assert.deepEqual([defaults.inputs.clusterIdentifier, defaults.inputs.deleteUnreachable], [undefined, undefined]);
  });

  it('another namespace, replicas and a monitoring namespace', async () => {
    const input = stackFileConfig('eks');
    setPath(input, 'namespace', 'books-staging');
    setPath(input, 'replicas', { books: 3, gateway: 4 });
    setPath(input, 'gateway.monitoringNamespace', 'monitoring');
    const run = await runProgram(input, { stack: 'eks' });
    const namespaced = run.resources.filter(
      (resource) => resource.custom && resource.type.startsWith('kubernetes:') && resource.inputs.metadata?.namespace,
    );
    assert.ok(namespaced.length > 10);
    assert.ok(namespaced.every((resource) => resource.inputs.metadata.namespace === 'books-staging'));
    assert.equal(find(run, 'kubernetes:apps/v1:Deployment', 'books')!.inputs.spec.replicas, 3);
    assert.equal(find(run, 'kubernetes:apps/v1:Deployment', 'books-react')!.inputs.spec.replicas, 2);
    assert.equal(find(run, 'kubernetes:apps/v1:Deployment', 'books-reverse-proxy')!.inputs.spec.replicas, 4);
    const conf: string = find(run, 'kubernetes:core/v1:ConfigMap', 'books-reverse-proxy-config')!.inputs.data[
      'nginx.conf'
    ];
    assert.match(conf, /books-service\.books-staging\.svc\.cluster\.local/);
    const metricsRule = find(run, 'kubernetes:networking.k8s.io/v1:NetworkPolicy', 'books-reverse-proxy')!.inputs.spec
      .ingress[1];
    assert.deepEqual(metricsRule.from[1], {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    });
  });
});

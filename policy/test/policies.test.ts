/** Every policy of the pack with a passing and a failing resource, calling the validations directly. */
import assert from 'node:assert/strict';
import { isPinnedImage, resourcePolicies, stackPolicies, type ResourceFacts, type StackResource } from '../policies';

function violations(policyName: string, facts: Partial<ResourceFacts> & { type: string }): string[] {
  const policy = resourcePolicies.find((candidate) => candidate.name === policyName);
  assert.ok(policy, `no policy ${policyName}`);
  const found: string[] = [];
  policy.validateResource({ props: {}, opts: {}, ...facts }, (message) => found.push(message));
  return found;
}

const goodContainer = {
  name: 'app',
  image: 'registry.example.com/books@sha256:' + 'a'.repeat(64),
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
  readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
  securityContext: {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  },
  env: [{ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
};

function deployment(container: Record<string, unknown>, labels: Record<string, string> = { app: 'books' }) {
  return {
    type: 'kubernetes:apps/v1:Deployment',
    props: {
      metadata: { name: 'books', namespace: 'books' },
      spec: { template: { metadata: { labels }, spec: { containers: [container] } } },
    },
  };
}

describe('policy only-gateway-exposed', () => {
  const service = (name: string, type: string) => ({
    type: 'kubernetes:core/v1:Service',
    props: { metadata: { name }, spec: { type } },
  });
  it('passes the gateway LoadBalancer and any ClusterIP', () => {
    assert.deepEqual(violations('only-gateway-exposed', service('books-reverse-proxy-service', 'LoadBalancer')), []);
    assert.deepEqual(violations('only-gateway-exposed', service('books-service', 'ClusterIP')), []);
  });
  it('fails another Service of type NodePort or LoadBalancer', () => {
    assert.equal(violations('only-gateway-exposed', service('books-service', 'NodePort')).length, 1);
    assert.equal(violations('only-gateway-exposed', service('books-postgres', 'LoadBalancer')).length, 1);
  });
});

describe('policy containers-have-resources-and-probes', () => {
  it('passes a container with requests, limits and both probes', () => {
    assert.deepEqual(violations('containers-have-resources-and-probes', deployment(goodContainer)), []);
  });
  it('fails missing limits and probes, naming each', () => {
    const { livenessProbe: _l, readinessProbe: _r, ...noProbes } = goodContainer;
    const found = violations(
      'containers-have-resources-and-probes',
      deployment({ ...noProbes, resources: { requests: goodContainer.resources.requests } }),
    );
    assert.deepEqual(found.sort(), [
      'container app has no cpu limits.',
      'container app has no livenessProbe.',
      'container app has no memory limits.',
      'container app has no readinessProbe.',
    ]);
  });
});

describe('policy containers-are-restricted', () => {
  it('passes the restricted context (runAsNonRoot may come from the pod)', () => {
    const { runAsNonRoot: _n, ...rest } = goodContainer.securityContext;
    const resource = deployment({ ...goodContainer, securityContext: rest });
    (resource.props.spec.template.spec as Record<string, unknown>).securityContext = { runAsNonRoot: true };
    assert.deepEqual(violations('containers-are-restricted', resource), []);
  });
  it('fails a root, writable, escalating container with capabilities', () => {
    const found = violations(
      'containers-are-restricted',
      deployment({ ...goodContainer, securityContext: { capabilities: { add: ['NET_ADMIN'] } } }),
    );
    assert.equal(found.length, 5);
  });
  it('checks StatefulSets and init containers too', () => {
    const resource = deployment(goodContainer);
    resource.type = 'kubernetes:apps/v1:StatefulSet';
    (resource.props.spec.template.spec as Record<string, unknown>).initContainers = [
      { name: 'init', image: 'busybox:1.36' },
    ];
    assert.ok(
      violations('containers-are-restricted', resource).some((message) => message.startsWith('initContainer init')),
    );
  });
});

describe('policy deployments-drain-gracefully', () => {
  const draining = (seconds: number, terminationGracePeriodSeconds?: number) => {
    const resource = deployment({ ...goodContainer, lifecycle: { preStop: { sleep: { seconds } } } });
    Object.assign(resource.props.spec.template.spec, { terminationGracePeriodSeconds });
    return resource;
  };
  it('passes a preStop sleep within the grace period (given, or the default 30 s), and any other preStop hook', () => {
    assert.deepEqual(violations('deployments-drain-gracefully', draining(5, 30)), []);
    assert.deepEqual(violations('deployments-drain-gracefully', draining(20)), []);
    const exec = deployment({ ...goodContainer, lifecycle: { preStop: { exec: { command: ['/app', '-drain'] } } } });
    assert.deepEqual(violations('deployments-drain-gracefully', exec), []);
  });
  it('fails a container without preStop hook, and a sleep that outlasts the grace period', () => {
    assert.deepEqual(violations('deployments-drain-gracefully', deployment(goodContainer)), [
      'container app has no preStop hook: it is sent SIGTERM while still receiving traffic.',
    ]);
    assert.deepEqual(violations('deployments-drain-gracefully', draining(30, 30)), [
      "container app sleeps 30 s in preStop, not less than the pod's grace period of 30 s: it is killed without a graceful stop.",
    ]);
    assert.equal(violations('deployments-drain-gracefully', draining(45)).length, 1, 'against the default 30 s');
  });
  it('leaves StatefulSets alone (the database stops on its own terms)', () => {
    const resource = deployment(goodContainer);
    resource.type = 'kubernetes:apps/v1:StatefulSet';
    assert.deepEqual(violations('deployments-drain-gracefully', resource), []);
  });
});

describe('policy images-are-pinned', () => {
  it('passes tags and digests', () => {
    for (const image of [
      'postgres:17.6-bookworm',
      'registry.example.com:5000/books-platform/books:abc123',
      goodContainer.image,
    ]) {
      assert.ok(isPinnedImage(image), image);
    }
    assert.deepEqual(violations('images-are-pinned', deployment(goodContainer)), []);
  });
  it('fails latest and untagged images (a registry port is not a tag)', () => {
    for (const image of ['postgres:latest', 'postgres', 'registry.example.com:5000/books'])
      assert.ok(!isPinnedImage(image), image);
    assert.equal(violations('images-are-pinned', deployment({ ...goodContainer, image: 'nginx:latest' })).length, 1);
  });
});

describe('policy secrets-stay-secret', () => {
  const secret = (additionalSecretOutputs: string[]) => ({
    type: 'kubernetes:core/v1:Secret',
    props: { stringData: { password: 'x' } },
    opts: { additionalSecretOutputs },
  });
  it('passes a Secret whose data and stringData are secret outputs, and env from secretKeyRef', () => {
    assert.deepEqual(violations('secrets-stay-secret', secret(['data', 'stringData'])), []);
    assert.deepEqual(violations('secrets-stay-secret', deployment(goodContainer)), []);
  });
  it('fails a Secret without them, and a credential set inline in env', () => {
    assert.equal(violations('secrets-stay-secret', secret([])).length, 2);
    const inline = deployment({
      ...goodContainer,
      env: [
        { name: 'DATABASE_URL', value: 'postgres://books:pw@db/books' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
    });
    assert.deepEqual(violations('secrets-stay-secret', inline), [
      'container app sets DATABASE_URL inline: take it from a Secret (valueFrom.secretKeyRef).',
    ]);
  });
});

describe('policy workloads-covered-by-network-policy', () => {
  const validate = (resources: StackResource[]) => {
    const found: string[] = [];
    stackPolicies[0]!.validateStack({ resources }, (message) => found.push(message));
    return found;
  };
  const workload = { ...deployment(goodContainer, { app: 'books', tier: 'api' }), urn: 'urn:books' };
  const policy = (
    namespace: string,
    podSelector: Record<string, unknown>,
    policyTypes = ['Ingress'],
  ): StackResource => ({
    type: 'kubernetes:networking.k8s.io/v1:NetworkPolicy',
    urn: 'urn:np',
    props: { metadata: { namespace }, spec: { podSelector, policyTypes } },
  });

  it('passes when a policy in the namespace selects the pods (labels or expressions)', () => {
    assert.deepEqual(validate([workload, policy('books', { matchLabels: { app: 'books' } })]), []);
    assert.deepEqual(
      validate([workload, policy('books', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['api'] }] })]),
      [],
    );
    assert.deepEqual(validate([workload, policy('books', {})]), []);
  });
  it('fails without one, with one in another namespace, or one that selects other pods or only egress', () => {
    assert.equal(validate([workload]).length, 1);
    assert.equal(validate([workload, policy('other', {})]).length, 1);
    assert.equal(validate([workload, policy('books', { matchLabels: { app: 'web' } })]).length, 1);
    assert.equal(validate([workload, policy('books', {}, ['Egress'])]).length, 1);
  });
});

/** The program's pure parts, without the engine: content tags, gateway URL, network rules, pod specs. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contextDigest, contextFiles } from '../../components/content-hash';
import { gatewayWorkerProcesses } from '../../components/gateway';
import { gatewayUrl, type GatewayEndpoint } from '../../components/gateway-url';
import { networkPolicySpecs } from '../../components/network-policies';
import {
  contentChecksum,
  credentialFingerprint,
  restrictedContainerSecurityContext,
  selectorLabels,
  workloadLabels,
} from '../../components/pod-spec';
import { expandHome } from '../../components/providers';
import { cpuMillis, memoryBytes } from '../../stacks/config';
import { stackDocumentConfig, testSecrets } from './harness';

describe('content-derived image tags (components/content-hash.ts)', () => {
  let context: string;
  const write = (file: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(context, file)), { recursive: true });
    fs.writeFileSync(path.join(context, file), content);
  };
  beforeEach(() => {
    context = fs.mkdtempSync(path.join(os.tmpdir(), 'books-context-'));
    write('Dockerfile', 'FROM debian:bookworm-slim\n');
    write('src/server.ts', 'export {}\n');
    write('node_modules/x/index.js', 'x');
    write('README.md', 'docs');
    write('.dockerignore', 'node_modules\n*.md\n!KEEP.md\n');
  });
  afterEach(() => fs.rmSync(context, { recursive: true, force: true }));

  it('is deterministic for the same tree and settings', () => {
    assert.equal(contextDigest(context), contextDigest(context));
    assert.match(contextDigest(context), /^[0-9a-f]{64}$/);
  });

  it('respects .dockerignore, including re-inclusions', () => {
    write('KEEP.md', 'kept');
    assert.deepEqual(contextFiles(context), ['.dockerignore', 'Dockerfile', 'KEEP.md', 'src/server.ts']);
    const before = contextDigest(context);
    write('node_modules/x/index.js', 'changed');
    write('README.md', 'changed');
    assert.equal(contextDigest(context), before, 'ignored files do not change the tag');
  });

  it('changes when a sent file, the Dockerfile, the platform or a build arg changes', () => {
    const base = contextDigest(context);
    write('src/server.ts', 'export const x = 1;\n');
    const edited = contextDigest(context);
    assert.notEqual(edited, base);
    write('Dockerfile', 'FROM debian:bookworm\n');
    assert.notEqual(contextDigest(context), edited);
    const now = contextDigest(context);
    assert.notEqual(contextDigest(context, { platform: 'linux/arm64' }), now);
    assert.notEqual(contextDigest(context, { args: { BASE_IMAGE: 'mirror.example/debian:bookworm-slim' } }), now);
  });

  it('refuses a context without a Dockerfile', () => {
    fs.rmSync(path.join(context, 'Dockerfile'));
    assert.throws(() => contextDigest(context), /No Dockerfile in build context/);
  });
});

describe('gateway URL (components/gateway-url.ts)', () => {
  const base: GatewayEndpoint = {
    serviceType: 'LoadBalancer',
    serviceName: 'books-reverse-proxy-service',
    namespace: 'books',
    port: 80,
    nodePort: undefined,
    tls: false,
    publicHost: undefined,
    ingress: undefined,
  };
  const cases: [string, Partial<GatewayEndpoint>, string][] = [
    ['a LoadBalancer IP', { ingress: [{ ip: '20.1.2.3' }] }, 'http://20.1.2.3'],
    ['a LoadBalancer host name (EKS)', { ingress: [{ hostname: 'a.elb.example' }] }, 'http://a.elb.example'],
    ['a non-default port (k3s)', { port: 8080, ingress: [{ ip: '192.168.1.50' }] }, 'http://192.168.1.50:8080'],
    ['HTTPS on 443', { tls: true, port: 443, ingress: [{ ip: '20.1.2.3' }] }, 'https://20.1.2.3'],
    [
      'a public host over the status',
      { publicHost: 'books.example.com', ingress: [{ ip: '20.1.2.3' }] },
      'http://books.example.com',
    ],
    ['no address yet: the in-cluster name', {}, 'http://books-reverse-proxy-service.books.svc.cluster.local'],
    [
      'a NodePort on minikube',
      { serviceType: 'NodePort', nodePort: 30080, publicHost: '192.168.49.2' },
      'http://192.168.49.2:30080',
    ],
    ['a NodePort without a known node address', { serviceType: 'NodePort', nodePort: 30080 }, 'http://localhost:30080'],
    [
      'a ClusterIP',
      { serviceType: 'ClusterIP', port: 8080 },
      'http://books-reverse-proxy-service.books.svc.cluster.local:8080',
    ],
  ];
  for (const [title, change, url] of cases) {
    it(`${title} → ${url}`, () => assert.equal(gatewayUrl({ ...base, ...change }), url));
  }
});

describe('network rules (components/network-policies.ts)', () => {
  const gatewayPods = selectorLabels('books-reverse-proxy');
  const booksPods = selectorLabels('books');
  const specs = networkPolicySpecs({
    namespace: 'books',
    gateway: { name: 'books-reverse-proxy', pods: gatewayPods, publicPorts: [8080, 8443], metricsPort: 9145 },
    upstreams: [{ name: 'books', pods: booksPods, port: 5000, metrics: true }],
    database: { pods: undefined, port: 6432, clients: booksPods },
    monitoringNamespace: 'monitoring',
  });
  const monitoring = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };

  it('lets the monitoring namespace scrape metrics, and opens both public ports with TLS', () => {
    assert.deepEqual(specs['books-reverse-proxy']!.ingress, [
      {
        ports: [
          { protocol: 'TCP', port: 8080 },
          { protocol: 'TCP', port: 8443 },
        ],
      },
      { from: [{ podSelector: {} }, monitoring], ports: [{ protocol: 'TCP', port: 9145 }] },
    ]);
    assert.deepEqual(specs.books!.ingress, [
      { from: [{ podSelector: { matchLabels: gatewayPods } }, monitoring], ports: [{ protocol: 'TCP', port: 5000 }] },
    ]);
  });

  it('denies egress by default; every pod may ask the cluster DNS (UDP and TCP 53), the gateway its upstreams', () => {
    assert.deepEqual(specs['default-deny-egress'], { podSelector: {}, policyTypes: ['Egress'], egress: [] });
    assert.deepEqual(specs['cluster-dns-egress']!.egress, [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
    assert.deepEqual(specs['books-reverse-proxy']!.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(specs['books-reverse-proxy']!.egress, [
      { to: [{ podSelector: { matchLabels: booksPods } }], ports: [{ protocol: 'TCP', port: 5000 }] },
    ]);
  });

  it("an external database: no PostgreSQL rule, books may reach any address on the URL's port only", () => {
    assert.deepEqual(Object.keys(specs).sort(), [
      'books',
      'books-reverse-proxy',
      'cluster-dns-egress',
      'database-clients-egress',
      'default-deny-egress',
      'default-deny-ingress',
    ]);
    assert.deepEqual(specs['database-clients-egress'], {
      podSelector: { matchLabels: booksPods },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'TCP', port: 6432 }] }],
    });
  });
});

describe('pod specs (components/pod-spec.ts) and quantities', () => {
  it('selects pods by name and part-of only, so other labels can change', () => {
    assert.deepEqual(selectorLabels('books'), {
      'app.kubernetes.io/name': 'books',
      'app.kubernetes.io/part-of': 'books-platform',
    });
    assert.equal(workloadLabels('books', 'api')['app.kubernetes.io/component'], 'api');
  });

  it('builds the restricted container security context for a uid', () => {
    const context = restrictedContainerSecurityContext(10001);
    assert.equal(context.runAsUser, 10001);
    assert.deepEqual(context.capabilities, { drop: ['ALL'] });
  });

  it('checksums content', () => {
    assert.equal(contentChecksum('a'), contentChecksum('a'));
    assert.notEqual(contentChecksum('a'), contentChecksum('b'));
  });

  it('fingerprints a credential with scrypt off the event loop, to the same value release after release', async () => {
    const order: string[] = [];
    const fingerprint = credentialFingerprint('correct horse battery staple').then((value) => {
      order.push('fingerprint');
      return value;
    });
    setImmediate(() => order.push('event loop turned'));
    // Pinned: another value for the same password would roll PostgreSQL and books on every stack at the next `up`.
    assert.equal(await fingerprint, '5d05142241a4c54cc0ce8b5dc6e6f34f685ed67be92a7777131b4c3512823b20');
    assert.deepEqual(order, ['event loop turned', 'fingerprint'], 'the program is not held while scrypt runs');
    assert.notEqual(await credentialFingerprint('correct horse battery stapler'), await fingerprint);
  });

  it('compares CPU and memory quantities', () => {
    assert.equal(cpuMillis('250m'), 250);
    assert.equal(cpuMillis('1.5'), 1500);
    assert.equal(memoryBytes('1Gi'), memoryBytes('1024Mi'));
  });

  it("runs one gateway worker per whole CPU of the container's limit, at least one", () => {
    const workers = Object.fromEntries(
      ['100m', '250m', '1', '1000m', '1001m', '1.5', '2', '2500m'].map((limit) => [
        limit,
        gatewayWorkerProcesses(limit),
      ]),
    );
    assert.deepEqual(workers, { '100m': 1, '250m': 1, '1': 1, '1000m': 1, '1001m': 2, '1.5': 2, '2': 2, '2500m': 3 });
  });

  it('expands ~/ in the docker cert path only', () => {
    assert.equal(expandHome('~/.minikube/certs'), path.join(os.homedir(), '.minikube/certs'));
    assert.equal(expandHome('/etc/certs'), '/etc/certs');
  });
});

describe('stack files as the tests read them (test/program/harness.ts)', () => {
  it('replaces secure leaves by test values, marks their keys secret, and adds the required secrets', () => {
    const input = stackDocumentConfig(
      [
        'config:',
        '  books-platform:target: aks',
        '  books-platform:registry:',
        '    server: registry.example.com',
        '    password:',
        '      secure: v1:abc:def',
        '  books-platform:database:',
        '    password:',
        '      secure: v1:ghi:jkl',
      ].join('\n'),
    );
    assert.equal(input.config['books-platform:target'], 'aks');
    assert.deepEqual(JSON.parse(input.config['books-platform:registry']!), {
      server: 'registry.example.com',
      password: 'test-secret-for-books-platform:registry.password-0123456789',
    });
    assert.deepEqual(JSON.parse(input.config['books-platform:database']!), {
      password: 'test-secret-for-books-platform:database.password-0123456789',
    });
    assert.deepEqual(JSON.parse(input.config['books-platform:gateway']!), {
      jwt: { hs256Key: testSecrets['gateway.jwt.hs256Key'] },
    });
    assert.deepEqual(input.secretKeys.sort(), [
      'books-platform:database',
      'books-platform:gateway',
      'books-platform:registry',
    ]);
  });
});

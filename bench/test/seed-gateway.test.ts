// The seed design's gateway as the bench's cluster section runs it: its config routes as the seed's did (checked in
// a real nginx against two local backends), keeps no upstream connection (the keepalive variant keeps one), and its
// pods get what they need to sit beside ours (pull secret, DNS search, the same size, a policy admitting them).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nginxBinary, waitFor } from '../../apps/books-reverse-proxy/src/local';
import { freePort } from '../../scripts/dev/ports';
import { registrySecretName } from '../../components/registry-secret';
import { routeBackend } from '../../components/upstreams';
import {
  SEED_NAMESPACE,
  SEED_VARIANTS,
  seedGatewayConf,
  seedGatewayManifests,
  seedUpstreams,
} from '../lib/seed-gateway';

interface Backend {
  address: string;
  paths: string[];
  connections: number;
  close(): Promise<void>;
}

async function startBackend(name: string): Promise<Backend> {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    res.setHeader('content-type', 'text/plain');
    res.end(name);
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    paths,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The seed's server block inside a minimal http context, as the official nginx.conf includes conf.d/*.conf. */
async function withSeedNginx(
  keepalive: boolean,
  body: (url: string, backends: { books: Backend; web: Backend }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'books-seed-nginx-'));
  const books = await startBackend('books');
  const web = await startBackend('web');
  const port = await freePort();
  mkdirSync(join(dir, 'tmp'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents {}\n` +
      `http {\n  access_log off;\n  client_body_temp_path ${dir}/tmp/body;\n  proxy_temp_path ${dir}/tmp/proxy;\n` +
      `${seedGatewayConf({ listen: `127.0.0.1:${port}`, books: books.address, web: web.address, keepalive })}}\n`,
  );
  const nginx = spawn(nginxBinary, ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => nginx.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => (await fetch(`${url}/`).catch(() => null)) !== null,
      10_000,
      () => 'nginx did not start',
    );
    books.paths.length = 0;
    web.paths.length = 0;
    await body(url, { books, web });
  } finally {
    nginx.kill('SIGQUIT');
    await exited;
    await books.close();
    await web.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sequential GETs (one at a time, so a kept connection can be reused), each answer's body. */
async function getAll(url: string, paths: readonly string[]): Promise<string[]> {
  const bodies: string[] = [];
  for (const path of paths) bodies.push(await (await fetch(`${url}${path}`)).text());
  return bodies;
}

describe("the seed design's gateway (bench cluster section)", () => {
  it('routes /books to books-service:5000 and the rest to books-react-service:3000, as the route table says', () => {
    assert.deepEqual(seedUpstreams(), {
      books: `${routeBackend('books').service}:${routeBackend('books').port}`,
      web: `${routeBackend('web').service}:${routeBackend('web').port}`,
    });
    assert.deepEqual(seedUpstreams(), { books: 'books-service:5000', web: 'books-react-service:3000' });
  });

  it('stock config in a real nginx: two locations, a new upstream connection per request', async () => {
    await withSeedNginx(false, async (url, { books, web }) => {
      const bodies = await getAll(url, ['/books/1', '/books?limit=2', '/', '/index.html', '/books/2']);
      assert.deepEqual(bodies, ['books', 'books', 'web', 'web', 'books']);
      assert.deepEqual(books.paths, ['/books/1', '/books?limit=2', '/books/2']);
      assert.deepEqual(web.paths, ['/', '/index.html']);
      // The first fetch (the readiness probe) opened one web connection before the counted requests.
      assert.equal(books.connections, 3, 'no keepalive: every request to books opens a connection');
    });
  });

  it('keepalive variant in a real nginx: same routes, one upstream connection reused', async () => {
    await withSeedNginx(true, async (url, { books, web }) => {
      const bodies = await getAll(url, ['/books/1', '/', '/books/2', '/books/3']);
      assert.deepEqual(bodies, ['books', 'web', 'books', 'books']);
      assert.deepEqual(books.paths, ['/books/1', '/books/2', '/books/3']);
      assert.equal(books.connections, 1, 'upstream keepalive: sequential requests reuse one connection');
      assert.equal(web.connections, 1, 'the readiness fetch and the page share one kept connection');
    });
  });

  it('pods beside ours: pull secret, DNS search in the platform namespace, our size, distinct LB ports, a policy', () => {
    const size = { cpuRequest: '10m', memoryRequest: '24Mi', cpuLimit: '2', memoryLimit: '96Mi' };
    const registry = { server: '127.0.0.1:5000', username: 'books', password: 'secret-pw' };
    const manifests = seedGatewayManifests({ appsNamespace: 'books', image: 'r/nginx:1.22.1', registry, size });
    const byKind = (kind: string) => manifests.filter((m) => m.kind === kind) as Record<string, never>[];
    assert.equal((manifests[0] as { kind: string }).kind, 'Namespace', 'the namespace comes first');
    const deployments = byKind('Deployment') as unknown as {
      metadata: { name: string; namespace: string };
      spec: {
        template: {
          spec: {
            imagePullSecrets: { name: string }[];
            dnsConfig: { searches: string[] };
            containers: { image: string; resources: { limits: { cpu: string } } }[];
          };
        };
      };
    }[];
    assert.deepEqual(
      deployments.map((d) => d.metadata.name),
      Object.values(SEED_VARIANTS).map((v) => v.name),
    );
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      assert.equal(deployment.metadata.namespace, SEED_NAMESPACE);
      assert.deepEqual(pod.imagePullSecrets, [{ name: registrySecretName }]);
      assert.deepEqual(pod.dnsConfig.searches, ['books.svc.cluster.local']);
      assert.equal(pod.containers[0]!.image, 'r/nginx:1.22.1');
      assert.equal(pod.containers[0]!.resources.limits.cpu, '2');
    }
    // The pull Secret the pods name, in their namespace, with the registry's credentials as the program writes them.
    const [secret] = byKind('Secret') as unknown as {
      type: string;
      metadata: { name: string; namespace: string };
      stringData: Record<string, string>;
    }[];
    assert.deepEqual(secret!.metadata, { name: registrySecretName, namespace: SEED_NAMESPACE });
    assert.equal(secret!.type, 'kubernetes.io/dockerconfigjson');
    const auths = (JSON.parse(secret!.stringData['.dockerconfigjson']!) as { auths: Record<string, { auth: string }> })
      .auths;
    assert.equal(Buffer.from(auths['127.0.0.1:5000']!.auth, 'base64').toString(), 'books:secret-pw');
    const services = byKind('Service') as unknown as { spec: { type: string; ports: { port: number }[] } }[];
    assert.deepEqual(
      services.map((s) => [s.spec.type, s.spec.ports[0]!.port]),
      Object.values(SEED_VARIANTS).map((v) => ['LoadBalancer', v.servicePort]),
    );
    const [policy] = byKind('NetworkPolicy') as unknown as {
      metadata: { namespace: string };
      spec: { ingress: { from: unknown[]; ports: { port: number }[] }[] };
    }[];
    assert.equal(policy!.metadata.namespace, 'books');
    assert.deepEqual(policy!.spec.ingress[0]!.from, [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': SEED_NAMESPACE } } },
    ]);
    assert.deepEqual(
      policy!.spec.ingress[0]!.ports.map((p) => p.port),
      [5000, 3000],
    );
  });
});

// The platform as pods in a real single-node cluster (scripts/cluster): what kwok cannot show — containers running,
// the in-cluster PostgreSQL on a provisioned volume, NetworkPolicies enforced, cluster DNS, the LoadBalancer address,
// a rolling update under load, self-healing, and a clean destroy. Runs after the shared platform and browser suites
// (.mocharc.cluster.json), in order: the later cases change the platform.
import { strict as assert } from 'node:assert';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inProjectNamespace } from '../../apps/books-reverse-proxy/bench/loopback';
import { databaseNames } from '../../components/database';
import { CPUACCT_ROOT, ENGINE_CGROUP } from '../../scripts/docker/accounting';
import { ENGINE } from '../../scripts/docker/engine';
import { CommandError, run, sleep } from '../../scripts/docker/process';
import { REGISTRY } from '../../scripts/docker/registry';
import { runLoad } from '../../bench/lib/load';
import { ChangeLog } from '../e2e/lib/changes';
import type { KubeObject } from '../e2e/lib/kube';
import { openStack } from '../e2e/lib/stack';
import { parseDigestRef, requiresAuth } from '../e2e/lib/registry';
import { snapshotBooks, writeHeaders, type Book } from '../integration/drills/support/books-api';
import { printLoad } from '../integration/drills/support/report';
import { loadDuring } from '../integration/drills/support/under-load';
import { deployRolloutCheck } from '../workflows/workflow-file';
import { changeBooksSource } from './lib/deploy';
import { harness, type ClusterHarness } from './lib/harness';
import { runInPod, runProbePod } from './lib/probe';
import { podReady, rolloutPending, SETTLE_TIMEOUT_MS, waitSettled, type Pod } from './lib/ready';

/** Under the gateway's per-client rate limit (50/s, burst 100): every request of the load comes from one address. */
const LOAD_RATE_PER_SECOND = 25;

type Service = KubeObject & {
  spec: { type: string; clusterIP?: string; selector?: Record<string, string>; ports: { port: number }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
};

const nameOf = (object: KubeObject): string => object.metadata.labels?.['app.kubernetes.io/name'] ?? '';

describe('cluster: the platform as pods in a real single-node cluster', function () {
  this.timeout(20 * 60_000);
  let h: ClusterHarness;
  /** Every write the platform acknowledged (201) during the cases below: none may be lost. */
  const acknowledged = new Set<string>();

  const pods = async (): Promise<Pod[]> => (await h.kube.list('pods', h.namespace)) as Pod[];
  const podsOf = async (name: string): Promise<Pod[]> => (await pods()).filter((pod) => nameOf(pod) === name);
  const gatewayService = async (): Promise<Service> => {
    const balanced = ((await h.kube.list('services', h.namespace)) as Service[]).filter(
      (service) => service.spec.type === 'LoadBalancer',
    );
    assert.equal(balanced.length, 1, 'exactly one LoadBalancer Service (the gateway) is the entry');
    return balanced[0];
  };

  before(function () {
    h = harness();
  });

  it('runs every pod Ready: books ×2, books-react ×2, the gateway, PostgreSQL with its volume Bound', async function () {
    const deployments = await h.kube.list('deployments', h.namespace);
    const replicas = new Map(deployments.map((d) => [nameOf(d), (d.spec as { replicas: number }).replicas]));
    assert.equal(replicas.get('books'), 2);
    assert.equal(replicas.get('books-react'), 2);
    assert.equal(deployments.length, 3, `Deployments: ${[...replicas.keys()].join(', ')}`);
    const all = await pods();
    for (const [name, want] of replicas) {
      const ready = all.filter((pod) => nameOf(pod) === name && podReady(pod));
      assert.equal(ready.length, want, `${name}: ${ready.length} of ${want} pods Running and Ready`);
    }
    const statefulSets = await h.kube.list('statefulsets', h.namespace);
    assert.equal(statefulSets.length, 1, 'the in-cluster PostgreSQL StatefulSet');
    const database = all.filter((pod) => nameOf(pod) === nameOf(statefulSets[0]));
    assert.equal(database.filter(podReady).length, 1, 'PostgreSQL pod Running and Ready');
    const claims = await h.kube.list('persistentvolumeclaims', h.namespace);
    assert.equal(claims.length, 1);
    assert.equal((claims[0].status as { phase: string }).phase, 'Bound', 'the PostgreSQL volume is Bound');
    for (const pod of all) {
      const restarts = (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + c.restartCount, 0);
      console.log(`      ${pod.metadata.name}: Ready, ${restarts} restart(s)`);
    }
  });

  it('pulls every image from the registry, with the pull Secret the program created', async function () {
    const state = (await h.stack.exportStack()).deployment as { resources?: { type: string; outputs?: KubeObject }[] };
    const managedSecrets = new Set(
      (state.resources ?? [])
        .filter((r) => r.type === 'kubernetes:core/v1:Secret' && r.outputs?.type === 'kubernetes.io/dockerconfigjson')
        .map((r) => r.outputs?.metadata.name),
    );
    assert.ok(managedSecrets.size > 0, 'the program manages no kubernetes.io/dockerconfigjson Secret');
    for (const pod of await pods()) {
      const spec = pod.spec as { imagePullSecrets?: { name: string }[]; containers: { image: string }[] };
      const secrets = (spec.imagePullSecrets ?? []).map((s) => s.name);
      assert.ok(
        secrets.some((name) => managedSecrets.has(name)),
        `${pod.metadata.name} pulls without the program's pull Secret (has: ${secrets.join(', ') || 'none'})`,
      );
      // The apps by the digest the program pushed; PostgreSQL by the image the stack names (pushed by the hooks).
      const [container] = spec.containers;
      if (nameOf(pod) === databaseNames.workload) assert.equal(container.image, h.setup.config.database?.image);
      else parseDigestRef(h.cluster.registry, container.image);
      assert.equal(spec.containers.length, 1, `${pod.metadata.name}: one container`);
    }
    const books = (await podsOf('books'))[0];
    const image = (books.spec as { containers: { image: string }[] }).containers[0].image;
    assert.equal(
      await requiresAuth(h.cluster.registry, image),
      true,
      'the registry served the books image without credentials',
    );
  });

  it("gives the gateway the node's LoadBalancer address and serves the platform through it", async function () {
    const service = await gatewayService();
    const address = service.status?.loadBalancer?.ingress?.[0]?.ip;
    assert.equal(address, h.cluster.nodeIp, 'the LoadBalancer ingress is the node address (K3s ServiceLB)');
    const url = new URL(h.gatewayUrl);
    assert.equal(url.hostname, address, 'the stack output gatewayUrl names the LoadBalancer address');
    assert.equal(inProjectNamespace(url.hostname), true, "the address is in the local cluster's own namespace");
    const page = await fetch(`${h.gatewayUrl}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">|<!doctype html>/i);
    const list = await fetch(`${h.gatewayUrl}/books`);
    assert.equal(list.status, 200, 'GET /books through the gateway (gateway → books → PostgreSQL)');
  });

  it('refuses a second start while this run owns the cluster, and leaves it running', async function () {
    const script = join(__dirname, '..', '..', 'scripts', 'cluster', 'node.sh');
    const second = await run('bash', [script, 'start'], { allowFailure: true, timeoutMs: 120_000 });
    assert.notEqual(second.code, 0, 'a second start took over a cluster in use');
    assert.match(second.stderr, new RegExp(`in use by pid ${process.pid}\\b`));
    const foreign = await run('bash', [script, 'stop', '--owner', '1'], { timeoutMs: 120_000 });
    assert.match(foreign.stderr, /left running/);
    assert.equal(
      (await run('bash', [script, 'status'], { allowFailure: true })).code,
      0,
      'the node is no longer Ready',
    );
  });

  it("accounts the system under test's CPU where the bench reads it: the cluster under books-node, the engine under books-docker", function () {
    // cgroup v1's cpuacct line of /proc/<pid>/cgroup, e.g. "2:cpuacct:/books-node/daemons".
    const cpuacctOf = (pid: number): string =>
      /^\d+:(?:[^:]*,)?cpuacct(?:,[^:]*)?:(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? '';
    const runDir = join(h.cluster.dir, 'run');
    const daemons = readdirSync(runDir)
      .filter((file) => file.endsWith('.pid'))
      .map((file) => ({ file, pid: Number(readFileSync(join(runDir, file), 'utf8').trim()) }))
      .filter(({ pid }) => existsSync(`/proc/${pid}`));
    assert.ok(daemons.length >= 8, `running daemons with pid files: ${daemons.map((d) => d.file).join(', ')}`);
    for (const { file, pid } of daemons) assert.equal(cpuacctOf(pid), '/books-node/daemons', file);
    // Every container of the pods (the platform's six and the cluster's own) runs in a cgroup under kubepods.
    const kubepods = join(CPUACCT_ROOT, 'books-node', 'kubepods');
    const containerPids = (readdirSync(kubepods, { recursive: true }) as string[])
      .filter((entry) => entry.endsWith('cgroup.procs'))
      .flatMap((entry) => readFileSync(join(kubepods, entry), 'utf8').split('\n').filter(Boolean));
    assert.ok(containerPids.length >= 6, `processes under ${kubepods}: ${containerPids.length}`);
    for (const pidFile of [ENGINE.pidFile, REGISTRY.pidFile]) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      assert.equal(cpuacctOf(pid), `/${ENGINE_CGROUP}`, pidFile);
    }
  });

  it('enforces the NetworkPolicies: a pod outside the platform reaches only the gateway', async function () {
    const ip = (pod: Pod): string => (pod.status as { podIP: string }).podIP;
    const port = (pod: Pod): number =>
      (pod.spec as { containers: { ports?: { containerPort: number }[] }[] }).containers[0].ports?.[0]?.containerPort ??
      0;
    const statefulSet = (await h.kube.list('statefulsets', h.namespace))[0];
    const targets: Record<string, Pod> = {
      books: (await podsOf('books'))[0],
      'books-react': (await podsOf('books-react'))[0],
      postgres: (await podsOf(nameOf(statefulSet)))[0],
    };
    const selector = Object.entries((await gatewayService()).spec.selector ?? {});
    const gatewayPod = (await pods()).find((pod) => selector.every(([k, v]) => pod.metadata.labels?.[k] === v));
    assert.ok(gatewayPod, 'no gateway pod');
    // One line per target: "<name> open" or "<name> closed"; nc gives up after 3 s.
    const script = [...Object.entries(targets), ['gateway', gatewayPod] as const]
      .map(
        ([name, pod]) =>
          `if nc -w 3 ${ip(pod)} ${port(pod)} </dev/null 2>/dev/null; then echo "${name} open"; else echo "${name} closed"; fi`,
      )
      .join('; ');
    const reachability = (output: string): Record<string, string> =>
      Object.fromEntries(
        output
          .trim()
          .split('\n')
          .map((line) => line.split(' ')),
      );

    await h.kube
      .kubectl(['create', 'namespace', 'intruder', '--dry-run=client', '-o', 'json'])
      .then((json) => h.kube.kubectl(['apply', '-f', '-'], json));
    const outside = await runProbePod(h.kube, { namespace: 'intruder', name: 'outside', script });
    assert.deepEqual(
      reachability(outside.output),
      { books: 'closed', 'books-react': 'closed', postgres: 'closed', gateway: 'open' },
      'from another namespace',
    );
    // A pod in the platform's namespace that is not one of its workloads gets no more than the outsider.
    const inside = await runProbePod(h.kube, { namespace: h.namespace, name: 'unlabelled', script });
    const seen = reachability(inside.output);
    for (const name of Object.keys(targets))
      assert.equal(seen[name], 'closed', `unlabelled pod in ${h.namespace} reached ${name}`);
    await h.kube.kubectl(['delete', 'namespace', 'intruder', '--wait=false']);
  });

  it('resolves cluster DNS in every app pod', async function () {
    const service = ((await h.kube.list('services', h.namespace)) as Service[]).find(
      (s) => s.metadata.name === 'books-service',
    );
    assert.ok(service?.spec.clusterIP, 'books-service has a ClusterIP');
    // The short name, as books resolves books-postgres: through the pod's search domains. (busybox nslookup tries
    // every search domain and exits 1 when any of them is NXDOMAIN, so the answer itself is what is checked.)
    const answer = new RegExp(
      `Name:\\s+books-service\\.${h.namespace}\\.svc\\.cluster\\.local\\s+Address:\\s+${service.spec.clusterIP.replaceAll('.', '\\.')}`,
    );
    for (const name of ['books', 'books-react', nameOf(await gatewayService())]) {
      for (const pod of await podsOf(name)) {
        const result = await runInPod(h.kube, h.namespace, pod.metadata.name, ['nslookup', 'books-service']);
        assert.match(result.output, answer, `${pod.metadata.name} did not resolve books-service:\n${result.output}`);
      }
    }
  });

  it('enforces egress: each app pod reaches only what it calls', async function () {
    const ip = (pod: Pod): string => (pod.status as { podIP: string }).podIP;
    const statefulSet = (await h.kube.list('statefulsets', h.namespace))[0];
    const [books] = await podsOf('books');
    const [web] = await podsOf('books-react');
    const [postgres] = await podsOf(nameOf(statefulSet));
    const [gateway] = await podsOf(nameOf(await gatewayService()));
    // [from, to, port, allowed]: the gateway calls books and books-react, books calls PostgreSQL, nothing else. The
    // gateway's port admits everyone (ingress, shown by the outsider above), so "closed" there is egress at work.
    const paths: [Pod, Pod, number, boolean][] = [
      [gateway, books, 5000, true],
      [gateway, web, 3000, true],
      [books, postgres, 5432, true],
      [books, gateway, 8080, false],
      [web, gateway, 8080, false],
      [postgres, gateway, 8080, false],
    ];
    for (const [from, to, port, allowed] of paths) {
      const result = await runInPod(h.kube, h.namespace, from.metadata.name, ['nc', '-w', '3', ip(to), String(port)]);
      assert.equal(
        result.exitCode === 0,
        allowed,
        `${nameOf(from)} → ${nameOf(to)}:${port} should be ${allowed ? 'open' : 'closed'}:\n${result.output}`,
      );
    }
  });

  it('rolls a books source change through pulumi up with zero failed requests under load', async function () {
    const before = new Set((await podsOf('books')).map((pod) => pod.metadata.uid));
    changeBooksSource(h.setup.projectDir, 'cluster suite: a source change');
    let upSeconds = 0;
    const run = await loadDuring({
      baseUrl: h.gatewayUrl,
      concurrency: 4,
      ratePerSecond: LOAD_RATE_PER_SECOND,
      minRequests: 200,
      maxRequests: 60_000,
      maxDurationMs: 15 * 60_000,
      startActionAfter: 50,
      nextRequest: (index) =>
        index % 4 === 0
          ? {
              method: 'POST',
              path: '/books',
              headers: writeHeaders(h.writeToken),
              body: JSON.stringify({ title: `Rolling update ${index}`, author: 'Cluster Suite', year: 2026 }),
              kind: 'write',
            }
          : { method: 'GET', path: '/books?limit=5', kind: 'read' },
      onResponse: (record) => {
        if (record.status === 201) acknowledged.add((JSON.parse(record.body) as Book).id);
      },
      action: async () => {
        await h.time('books change: pulumi up → new pods serving', async () => {
          const started = Date.now();
          await h.stack.up({ onOutput: () => undefined });
          upSeconds = (Date.now() - started) / 1000;
          await waitSettled(h.kube, h.namespace, SETTLE_TIMEOUT_MS);
        });
      },
    });
    printLoad('cluster', 'reads and writes through the gateway during the rollout', run.load);
    console.log(`      pulumi up returned after ${upSeconds.toFixed(1)} s`);
    const after = await podsOf('books');
    assert.equal(after.filter((pod) => before.has(pod.metadata.uid)).length, 0, 'old books pods still serve');
    assert.equal(after.filter(podReady).length, 2);
    assert.ok(acknowledged.size > 0, 'no write was acknowledged during the rollout');
    assert.equal(
      run.load.failures,
      0,
      `${run.load.failures} failed requests: ${JSON.stringify(run.load.failureSamples.slice(0, 3))}`,
    );
  });

  it("passes deploy.yml's rollout check, which waits on every Deployment and StatefulSet of the namespace", async function () {
    const check = deployRolloutCheck();
    // A rollout in progress when the check starts, as after an early `pulumi up`: the check must wait it out.
    await h.kube.kubectl(['rollout', 'restart', '--namespace', h.namespace, 'deployment/books-react']);
    const out = await h.kube.shell(check.run, { NAMESPACE: h.namespace }, SETTLE_TIMEOUT_MS);
    assert.deepEqual(await rolloutPending(h.kube, h.namespace), [], 'the check returned before every rollout ended');
    assert.match(out, /Waiting for deployment "books-react" rollout to finish/);
    const names = async (kind: string): Promise<string[]> =>
      (await h.kube.list(kind, h.namespace)).map((workload) => workload.metadata.name);
    const deployments = await names('deployments');
    assert.equal(deployments.length, 3, `deployments: ${deployments.join(', ')}`);
    for (const name of deployments) assert.match(out, new RegExp(`deployment "${name}" successfully rolled out`));
    // kubectl names no StatefulSet in its message: one "complete" line each (the API server defaults the rolling
    // update's partition to 0, so kubectl reports a partitioned roll out).
    const statefulSets = await names('statefulsets');
    assert.equal(
      out.match(/^(partitioned roll out|statefulset rolling update) complete/gm)?.length ?? 0,
      statefulSets.length,
      out,
    );
    assert.equal(statefulSets.length, 1, `statefulsets: ${statefulSets.join(', ')}`);
    await assert.rejects(
      h.kube.shell(check.run, {}),
      (error: unknown) => error instanceof CommandError && /no namespaceName output/.test(error.result.stderr),
    );
    await waitSettled(h.kube, h.namespace, SETTLE_TIMEOUT_MS);
  });

  it('recovers by itself from a deleted books pod and PostgreSQL pod, losing no acknowledged write', async function () {
    const statefulSet = (await h.kube.list('statefulsets', h.namespace))[0];
    const victims = [(await podsOf('books'))[0], (await podsOf(nameOf(statefulSet)))[0]];
    const started = Date.now();
    await h.kube.kubectl(['delete', 'pod', '-n', h.namespace, '--wait=false', ...victims.map((p) => p.metadata.name)]);
    // Writes go on while the platform heals; failures are expected then, losses never.
    const writes = await runLoad({
      baseUrl: h.gatewayUrl,
      concurrency: 1,
      ratePerSecond: 5,
      maxRequests: 600,
      maxDurationMs: 30_000,
      nextRequest: (index) => ({
        method: 'POST',
        path: '/books',
        headers: writeHeaders(h.writeToken),
        body: JSON.stringify({ title: `During recovery ${index}`, author: 'Cluster Suite', year: 2026 }),
      }),
      onResponse: (record) => {
        if (record.status === 201) acknowledged.add((JSON.parse(record.body) as Book).id);
      },
    });
    await waitSettled(h.kube, h.namespace, SETTLE_TIMEOUT_MS);
    const recovered = (Date.now() - started) / 1000;
    console.log(
      `      recovered in ${recovered.toFixed(1)} s; writes meanwhile: ${writes.requests - writes.failures} acknowledged, ${writes.failures} refused`,
    );
    const uids = new Set((await pods()).map((pod) => pod.metadata.uid));
    for (const victim of victims)
      assert.equal(uids.has(victim.metadata.uid), false, `${victim.metadata.name} was not replaced`);
    const stored = await snapshotBooks(h.gatewayUrl);
    const lost = [...acknowledged].filter((id) => !stored.ids.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.size} acknowledged writes are gone`);
  });

  it('previews no changes from a second copy of the project at another path', async function () {
    // The same tree as deployed (the rollout case edited books in the first copy), at another path.
    const projectDir = join(h.setup.stateDir, '..', 'second-checkout', 'books-platform');
    cpSync(h.setup.projectDir, projectDir, { recursive: true, verbatimSymlinks: true });
    const second = await openStack({ ...h.setup, projectDir }, { validate: true });
    const changes = new ChangeLog();
    const result = await h.time('no-op pulumi preview (second checkout)', () =>
      second.preview({ onEvent: changes.onEvent }),
    );
    assert.deepEqual(changes.changed(), []);
    assert.deepEqual(Object.keys(result.changeSummary), ['same']);
  });

  it('pulumi destroy removes the platform and, as documented for k3s, keeps only the database', async function () {
    // k3s keeps the database on destroy (database.retain, docs/configuration.md): the namespace, the StatefulSet
    // (with its pod), its Secret and the volume claim stay; nothing else of the platform does.
    await h.time('pulumi destroy', () => h.stack.destroy({ onOutput: () => undefined }));
    const left = async (): Promise<string[]> =>
      (
        await h.kube.kubectl([
          'get',
          'deployments,statefulsets,pods,services,persistentvolumeclaims,secrets,configmaps,networkpolicies',
          '-n',
          h.namespace,
          '-o',
          'name',
          '--ignore-not-found',
        ])
      )
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.endsWith('/kube-root-ca.crt'));
    const kept = [
      `statefulset.apps/${databaseNames.workload}`,
      `pod/${databaseNames.workload}-0`,
      `secret/${databaseNames.secret}`,
      `persistentvolumeclaim/data-${databaseNames.workload}-0`,
    ].sort();
    for (let i = 0; i < 120 && JSON.stringify((await left()).sort()) !== JSON.stringify(kept); i++) await sleep(1000);
    assert.deepEqual((await left()).sort(), kept);
    // Deleting the namespace by hand (the documented last step) removes the data too: local-path's reclaim policy is
    // Delete, so the volume goes with its claim.
    await h.kube.kubectl(['delete', 'namespace', h.namespace, '--timeout', '180s']);
    for (let i = 0; i < 60 && (await h.kube.kubectl(['get', 'persistentvolumes', '-o', 'name'])).trim() !== ''; i++)
      await sleep(1000);
    assert.equal(
      (await h.kube.kubectl(['get', 'persistentvolumes', '-o', 'name'])).trim(),
      '',
      'a volume outlived its claim',
    );
  });
});

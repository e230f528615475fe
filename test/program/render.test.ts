/**
 * `npm run render` (scripts/render) and the kube-score gate's verdict (scripts/lint/manifests.ts): the manifests
 * hold every object without any secret value, and the gate fails exactly on undeclined critical findings.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as yaml from 'js-yaml';
import { REDACTED, renderStack } from '../../scripts/render/manifests';
import { allStacks } from '../../scripts/render/stacks';
import { IGNORE_FILE, judge, loadIgnoreList, parseReport, type Finding } from '../../scripts/lint/manifests';
import { testSecrets, type Manifest } from './harness';

function containersOf(manifest: Manifest): Manifest[] {
  const pod = manifest.spec?.template?.spec;
  return pod ? [...(pod.initContainers ?? []), ...pod.containers] : [];
}

describe('npm run render: plain manifests of every stack', () => {
  const rendered = new Map<string, Manifest[]>();
  before(async function () {
    this.timeout(120_000);
    for (const stack of allStacks()) rendered.set(stack, await renderStack(stack));
  });

  it('renders the six stacks', () => {
    assert.deepEqual([...rendered.keys()], ['aks', 'dev', 'eks', 'gke', 'k3s', 'minikube']);
    for (const manifests of rendered.values()) {
      for (const kind of ['Namespace', 'Deployment', 'StatefulSet', 'Service', 'NetworkPolicy', 'Secret']) {
        assert.ok(
          manifests.some((manifest) => manifest.kind === kind),
          kind,
        );
      }
    }
  });

  it('writes no secret value, only the Secrets’ keys', () => {
    for (const [stack, manifests] of rendered) {
      const text = yaml.dump(manifests);
      for (const value of [...Object.values(testSecrets), 'test-secret-for-']) {
        assert.ok(!text.includes(value), `${stack}: ${value} written`);
      }
      const database = manifests.find(
        (manifest) => manifest.kind === 'Secret' && manifest.metadata.name === 'books-database',
      );
      assert.deepEqual(database?.stringData, { password: REDACTED });
      assert.equal(database?.data, undefined);
    }
  });

  it('keeps workload specs in plain text (a secret inside a pod template would hide every preview diff)', () => {
    for (const [stack, manifests] of rendered) {
      for (const manifest of manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')) {
        assert.notEqual(manifest.spec, REDACTED, `${stack} ${manifest.kind}/${manifest.metadata.name}: spec is secret`);
      }
    }
  });

  it('gives every container an ephemeral-storage request and limit', () => {
    for (const [stack, manifests] of rendered) {
      for (const manifest of manifests) {
        for (const container of containersOf(manifest)) {
          const where = `${stack} ${manifest.kind}/${manifest.metadata.name} ${container.name}`;
          assert.ok(container.resources?.requests?.['ephemeral-storage'], `${where}: request`);
          assert.ok(container.resources?.limits?.['ephemeral-storage'], `${where}: limit`);
        }
      }
    }
  });

  it('names, in the kube-score ignore list, only objects the program renders', () => {
    const objects = new Set(
      [...rendered.values()].flat().map((manifest) => `${manifest.kind}/${manifest.metadata.name}`),
    );
    for (const entry of loadIgnoreList(fs.readFileSync(IGNORE_FILE, 'utf8'))) {
      for (const object of entry.objects) assert.ok(objects.has(object), `${entry.check}: ${object}`);
    }
  });
});

describe('check:manifests verdict', () => {
  const finding = (check: string, object: string, grade: number): Finding => ({
    stack: 'aks',
    object,
    check,
    grade,
    summaries: [check],
  });
  const ignore = [{ check: 'pod-probes-identical', objects: ['Deployment/books-react'], reason: 'because' }];

  it('reads kube-score’s JSON report: findings below OK, skipped checks left out', () => {
    const report = [
      {
        type_meta: { kind: 'Deployment' },
        object_meta: { name: 'books' },
        checks: [
          { check: { id: 'a' }, grade: 1, skipped: false, comments: [{ summary: 'bad' }] },
          { check: { id: 'b' }, grade: 10, skipped: false, comments: null },
          { check: { id: 'c' }, grade: 1, skipped: true, comments: null },
          { check: { id: 'd' }, grade: 5, skipped: false, comments: null },
        ],
      },
    ];
    assert.deepEqual(
      parseReport('aks', report).map((f) => [f.object, f.check, f.grade]),
      [
        ['Deployment/books', 'a', 1],
        ['Deployment/books', 'd', 5],
      ],
    );
  });

  it('fails on a critical finding the list does not decline, not on a declined one or a warning', () => {
    const declined = finding('pod-probes-identical', 'Deployment/books-react', 1);
    const open = finding('pod-probes-identical', 'Deployment/books-reverse-proxy', 1);
    const warning = finding('pod-networkpolicy', 'Deployment/books', 5);
    assert.deepEqual(judge([declined, warning], ignore), { failures: [], stale: [] });
    assert.deepEqual(judge([declined, open, warning], ignore).failures, [open]);
  });

  it('reports an entry that matches no finding any more', () => {
    assert.deepEqual(judge([], ignore).stale, ['pod-probes-identical Deployment/books-react']);
  });

  it('refuses an entry without a reason', () => {
    assert.throws(() => loadIgnoreList('- check: x\n  objects: [Deployment/books]\n'), /reason/);
  });
});

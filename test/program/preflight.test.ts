/** `npm run preflight` (stacks/preflight.ts): its checks over what kubectl reports, without a cluster. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { preflightFindings, preflightStack, type ClusterFacts } from '../../stacks/preflight';
import type { TargetName } from '../../stacks/targets';
import { repoRoot } from './harness';

const eksCluster = (change: Partial<ClusterFacts> = {}): ClusterFacts => ({
  serverVersion: { major: '1', minor: '31+' },
  // What a new EKS ≥ 1.30 cluster has: gp2, not the default, and no EBS CSI driver until the add-on.
  storageClasses: [{ name: 'gp2', provisioner: 'kubernetes.io/aws-ebs', isDefault: false }],
  csiDrivers: ['efs.csi.aws.com'],
  ...change,
});

const failures = (facts: ClusterFacts, storageClass: string | undefined, target: TargetName = 'eks') =>
  preflightFindings({ target, storageClass }, facts)
    .filter((finding) => !finding.ok)
    .map((finding) => finding.message);

describe('preflight (stacks/preflight.ts)', () => {
  it('reads the target, context and StorageClass of each stack file (the table default, or database.storageClass)', () => {
    const eks = yaml.load(fs.readFileSync(path.join(repoRoot, 'Pulumi.eks.yaml'), 'utf8')) as object;
    assert.deepEqual(preflightStack(eks), {
      target: 'eks',
      context: 'books-eks',
      kubeconfig: undefined,
      storageClass: 'gp2',
    });
    const dev = preflightStack({ config: { 'books-platform:target': 'docker-desktop' } });
    assert.deepEqual([dev.context, dev.storageClass], ['docker-desktop', 'hostpath']);
    const own = preflightStack({
      config: { 'books-platform:target': 'eks', 'books-platform:database': { storageClass: 'gp3' } },
    });
    assert.equal(own.storageClass, 'gp3');
    const external = preflightStack({
      config: { 'books-platform:target': 'gke', 'books-platform:database': { url: { secure: 'v1:…' } } },
    });
    assert.equal(external.storageClass, undefined, 'an external database needs no volume');
  });

  it('passes a ready EKS cluster: ≥ 1.30, gp2 present, the EBS CSI driver installed', () => {
    assert.deepEqual(failures(eksCluster({ csiDrivers: ['ebs.csi.aws.com'] }), 'gp2'), []);
  });

  it('fails an EKS cluster without the EBS CSI add-on, naming the add-on', () => {
    const [message, ...rest] = failures(eksCluster(), 'gp2');
    assert.equal(rest.length, 0);
    assert.match(message!, /CSI driver ebs\.csi\.aws\.com, which provisions gp2, is not installed/);
    assert.match(message!, /aws-ebs-csi-driver/);
  });

  it('fails a missing StorageClass, listing the ones the cluster has', () => {
    const [message] = failures(eksCluster(), 'gp3');
    assert.match(message!, /StorageClass gp3 .* does not exist \(the cluster has: gp2\)/);
  });

  it('fails Kubernetes older than 1.30 (the preStop sleep is dropped), with the Docker Desktop version to get', () => {
    const old = { serverVersion: { major: '1', minor: '29' }, storageClasses: [], csiDrivers: [] };
    const [message] = failures(old, undefined, 'docker-desktop');
    assert.match(message!, /Kubernetes 1\.29 is older than 1\.30/);
    assert.match(message!, /Docker Desktop ≥ 4\.33/);
    assert.deepEqual(failures({ ...old, serverVersion: { major: '1', minor: '30' } }, undefined), []);
  });

  it('needs no CSI driver for node-local provisioners (k3s local-path)', () => {
    const k3s = {
      serverVersion: { major: '1', minor: '33' },
      storageClasses: [{ name: 'local-path', provisioner: 'rancher.io/local-path', isDefault: true }],
      csiDrivers: [],
    };
    assert.deepEqual(failures(k3s, 'local-path', 'k3s'), []);
  });
});

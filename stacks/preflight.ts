/**
 * `npm run preflight -- --stack <stack>`: what `pulumi up` needs from the cluster and cannot check itself, asked
 * of the cluster the stack names (kubectl, its context) before anything is deployed:
 * - Kubernetes ≥ 1.30: older API servers silently drop the preStop sleep every Deployment drains with;
 * - the database's StorageClass exists, and the CSI driver behind it is installed (EKS ships neither a default
 *   class nor the EBS driver; without them the volume claim stays Pending and `up` times out).
 * The checks are a pure function of what kubectl reports, tested without a cluster.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { defaultProject } from './config';
import { targetDefaults, targetNames, type TargetName } from './targets';

export const minimumServerVersion = { major: 1, minor: 30 } as const;

/** In-tree provisioners and the CSI driver that serves them since CSI migration. */
const migratedProvisioners: Readonly<Record<string, string>> = {
  'kubernetes.io/aws-ebs': 'ebs.csi.aws.com',
  'kubernetes.io/gce-pd': 'pd.csi.storage.gke.io',
  'kubernetes.io/azure-disk': 'disk.csi.azure.com',
};

const driverHint: Readonly<Record<string, string>> = {
  'ebs.csi.aws.com':
    'install the EBS CSI driver add-on (docs/targets/eks.md: `eksctl create addon --name aws-ebs-csi-driver …`)',
  'pd.csi.storage.gke.io': 'enable the Compute Engine persistent disk CSI driver on the cluster',
  'disk.csi.azure.com': 'AKS installs the Azure Disk CSI driver by default: check the cluster’s storage profile',
};

export interface PreflightTarget {
  target: TargetName;
  /** The database's StorageClass; undefined for an external database (no volume). */
  storageClass: string | undefined;
}

export interface ClusterFacts {
  /** `serverVersion` of `kubectl version -o json` (minor may carry a suffix: EKS reports "30+"). */
  serverVersion: { major: string; minor: string };
  storageClasses: { name: string; provisioner: string; isDefault: boolean }[];
  /** Names of the CSIDriver objects. */
  csiDrivers: string[];
}

export interface Finding {
  ok: boolean;
  message: string;
}

export function preflightFindings(target: PreflightTarget, facts: ClusterFacts): Finding[] {
  const findings: Finding[] = [];
  const major = Number.parseInt(facts.serverVersion.major, 10);
  const minor = Number.parseInt(facts.serverVersion.minor, 10);
  const version = `${facts.serverVersion.major}.${facts.serverVersion.minor}`;
  const recent =
    major > minimumServerVersion.major || (major === minimumServerVersion.major && minor >= minimumServerVersion.minor);
  findings.push({
    ok: recent,
    message: recent
      ? `Kubernetes ${version} (≥ 1.30: the preStop sleep is served)`
      : `Kubernetes ${version} is older than 1.30: its API server silently drops the preStop sleep the pods drain ` +
        `with. Upgrade the cluster${target.target === 'docker-desktop' ? ' (Docker Desktop ≥ 4.33 runs 1.30)' : ''}.`,
  });
  if (target.storageClass === undefined) return findings;

  const storageClass = facts.storageClasses.find((candidate) => candidate.name === target.storageClass);
  if (!storageClass) {
    const available = facts.storageClasses.map((candidate) => candidate.name).join(', ') || 'none';
    findings.push({
      ok: false,
      message:
        `StorageClass ${target.storageClass} (the ${target.target} default, or database.storageClass) does not exist ` +
        `(the cluster has: ${available}): the database volume would stay Pending. Create it or set ` +
        '`pulumi config set --path database.storageClass <name>`.',
    });
    return findings;
  }
  findings.push({
    ok: true,
    message: `StorageClass ${storageClass.name} exists (provisioner ${storageClass.provisioner}${storageClass.isDefault ? ', the default' : ''})`,
  });
  const driver = migratedProvisioners[storageClass.provisioner] ?? storageClass.provisioner;
  const hint = driverHint[driver];
  if (hint !== undefined) {
    const installed = facts.csiDrivers.includes(driver);
    findings.push({
      ok: installed,
      message: installed
        ? `CSI driver ${driver} is installed`
        : `CSI driver ${driver}, which provisions ${storageClass.name}, is not installed: ${hint}.`,
    });
  }
  return findings;
}

interface StackFile {
  config?: Record<string, unknown>;
}

/** What the preflight needs from Pulumi.<stack>.yaml: its target, kube context, and database volume. */
export function preflightStack(document: StackFile, project = defaultProject) {
  const config = document.config ?? {};
  const target = config[`${project}:target`] as TargetName;
  if (!targetNames.includes(target)) throw new Error(`the stack file names no known target (${String(target)})`);
  const kubernetes = (config[`${project}:kubernetes`] ?? {}) as { context?: string; kubeconfig?: string };
  const database = (config[`${project}:database`] ?? {}) as { url?: unknown; storageClass?: string };
  const defaults = targetDefaults[target];
  return {
    target,
    context: kubernetes.context ?? defaults.kubeContext,
    kubeconfig: kubernetes.kubeconfig,
    storageClass: database.url === undefined ? (database.storageClass ?? defaults.storageClass) : undefined,
  };
}

function kubectlJson<T>(args: string[], context: string | undefined, kubeconfig: string | undefined): T {
  const scope = [...(context ? ['--context', context] : []), ...(kubeconfig ? ['--kubeconfig', kubeconfig] : [])];
  return JSON.parse(execFileSync('kubectl', [...scope, ...args, '-o', 'json'], { encoding: 'utf8' })) as T;
}

interface ObjectList<T> {
  items: T[];
}
interface StorageClassObject {
  metadata: { name: string; annotations?: Record<string, string> };
  provisioner: string;
}

function main(argv: string[]): number {
  const index = argv.indexOf('--stack');
  const stack = index >= 0 ? argv[index + 1] : undefined;
  if (!stack) {
    console.error('usage: npm run preflight -- --stack <dev|minikube|k3s|aks|eks|gke|…>');
    return 2;
  }
  const file = path.join(__dirname, '..', `Pulumi.${stack}.yaml`);
  const settings = preflightStack(yaml.load(fs.readFileSync(file, 'utf8')) as StackFile);
  const { context, kubeconfig } = settings;
  console.log(`stack ${stack}: target ${settings.target}, kube context ${context ?? '(current)'}`);
  const version = kubectlJson<{ serverVersion: ClusterFacts['serverVersion'] }>(['version'], context, kubeconfig);
  const classes = kubectlJson<ObjectList<StorageClassObject>>(['get', 'storageclasses'], context, kubeconfig);
  const drivers = kubectlJson<ObjectList<{ metadata: { name: string } }>>(['get', 'csidrivers'], context, kubeconfig);
  const findings = preflightFindings(settings, {
    serverVersion: version.serverVersion,
    storageClasses: classes.items.map((item) => ({
      name: item.metadata.name,
      provisioner: item.provisioner,
      isDefault: item.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
    })),
    csiDrivers: drivers.items.map((item) => item.metadata.name),
  });
  for (const finding of findings) console.log(`${finding.ok ? 'ok  ' : 'FAIL'} ${finding.message}`);
  return findings.every((finding) => finding.ok) ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    // kubectl's own message (an unknown context, an unreachable API server) says what to fix.
    console.error(`FAIL ${error instanceof Error ? error.message.trim() : String(error)}`);
    process.exitCode = 1;
  }
}

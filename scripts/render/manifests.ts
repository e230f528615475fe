/**
 * Each stack's Kubernetes objects as plain YAML, without a cluster, a registry, Docker or the Pulumi engine: the
 * program runs under Pulumi's mocks (test/program/harness.ts, the same run the program tests assert on) and every
 * Kubernetes resource it registers is written as the manifest it would send. Two things differ from a real `up`:
 * image references carry a placeholder digest (nothing is built), and every secret value is redacted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import {
  isSecretValue,
  runProgram,
  stackFileConfig,
  type CapturedResource,
  type Manifest,
} from '../../test/program/harness';

export const REDACTED = '<redacted>';

/** Replaces each value that was a Pulumi secret in `raw` by REDACTED in its unwrapped copy `plain`. */
function redactSecrets(plain: unknown, raw: unknown): unknown {
  if (isSecretValue(raw)) return REDACTED;
  if (Array.isArray(plain) && Array.isArray(raw)) return plain.map((child, i) => redactSecrets(child, raw[i]));
  if (plain !== null && typeof plain === 'object' && raw !== null && typeof raw === 'object') {
    const rawRecord = raw as Record<string, unknown>;
    return Object.fromEntries(Object.entries(plain).map(([key, child]) => [key, redactSecrets(child, rawRecord[key])]));
  }
  return plain;
}

/** A Secret's values are never written, secret-marked or not: its keys (from the unwrapped inputs) stay. */
function redactSecretObject(manifest: Manifest, inputs: Manifest): Manifest {
  const keys = [...Object.keys(inputs.data ?? {}), ...Object.keys(inputs.stringData ?? {})];
  const { data: _data, stringData: _stringData, ...rest } = manifest;
  return { ...rest, stringData: Object.fromEntries(keys.map((key) => [key, REDACTED])) };
}

export function toManifest(resource: CapturedResource): Manifest {
  const manifest = redactSecrets(resource.inputs, resource.rawInputs) as Manifest;
  // Objects without a fixed name get one from Pulumi's auto-naming (the resource name plus a random suffix).
  manifest.metadata = { name: resource.name, ...manifest.metadata };
  return manifest.kind === 'Secret' ? redactSecretObject(manifest, resource.inputs) : manifest;
}

function isKubernetesObject(resource: CapturedResource): boolean {
  return resource.custom && resource.type.startsWith('kubernetes:');
}

/** The file name the Kubernetes provider's renderYamlToDirectory mode would give the object. */
export function manifestFileName(manifest: Manifest): string {
  const parts = [
    String(manifest.apiVersion).replace('/', '_'),
    manifest.kind,
    manifest.metadata.namespace,
    manifest.metadata.name,
  ];
  return `${parts
    .filter((part) => part !== undefined && part !== '')
    .join('-')
    .toLowerCase()}.yaml`;
}

/** Runs the program for `stack` under mocks and returns its Kubernetes objects as manifests. */
export async function renderStack(stack: string): Promise<Manifest[]> {
  const run = await runProgram(stackFileConfig(stack), { stack });
  return run.resources.filter(isKubernetesObject).map(toManifest);
}

/** Writes `manifests` into `dir` (emptied first), one YAML file per object. */
export function writeManifests(dir: string, manifests: Manifest[]): string[] {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return manifests.map((manifest) => {
    const file = path.join(dir, manifestFileName(manifest));
    fs.writeFileSync(file, yaml.dump(manifest, { noRefs: true, lineWidth: -1 }));
    return file;
  });
}

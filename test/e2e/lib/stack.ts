// One e2e stack under the real Pulumi CLI through the Automation API: local file backend, private PULUMI_HOME,
// plugins only from PATH (automatic downloads off, so a missing plugin fails loudly), and a stack config written
// from a typed RawStackConfig that must first pass the program's own validation (stacks/config.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalWorkspace, PulumiCommand, type ConfigMap, type Stack } from '@pulumi/pulumi/automation';
import { defaultProject, parseStackConfig } from '../../../stacks/config';
import { secretConfigKeys, type RawStackConfig } from '../../../stacks/schema';

export interface StackSetup {
  projectDir: string;
  stackName: string;
  config: RawStackConfig;
  /** Environment of every Pulumi process (PATH with the toolchain, DOCKER_HOST, …). */
  env: Record<string, string>;
  stateDir: string;
  pulumiHome: string;
  pulumiRoot: string;
  /**
   * TMPDIR of every Pulumi process, inside the run's work dir: the Kubernetes provider writes a copy of the kubeconfig
   * (credentials included) there on every configure and never deletes it (docs/configuration.md).
   */
  tempDir: string;
}

/** Flattens a config object into `--path` keys: {registry: {server: "x"}} → "registry.server" = "x". */
export function flattenConfig(config: RawStackConfig): ConfigMap {
  const secrets = new Set<string>(secretConfigKeys);
  const flat: ConfigMap = {};
  const walk = (prefix: string, value: unknown): void => {
    if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(prefix === '' ? key : `${prefix}.${key}`, inner);
    } else if (value !== undefined) {
      flat[prefix] = { value: String(value), secret: secrets.has(prefix) };
    }
  };
  walk('', config);
  return flat;
}

/** The config as the program will see it (`pulumi.runtime.allConfig()`): top-level keys, objects as JSON. */
export function rawConfigMap(config: RawStackConfig, project = defaultProject): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      `${project}:${key}`,
      typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]),
  );
}

/** Throws the program's own ConfigError when the config is invalid; used before the stack is created. */
export function validateConfig(config: RawStackConfig, dryRun: boolean): void {
  const result = parseStackConfig(rawConfigMap(config), { dryRun });
  if (!result.ok) throw result.error;
}

export function pulumiEnv(
  setup: Pick<StackSetup, 'env' | 'stateDir' | 'pulumiHome' | 'tempDir'>,
): Record<string, string> {
  for (const dir of [setup.stateDir, setup.pulumiHome, setup.tempDir]) mkdirSync(dir, { recursive: true });
  return {
    ...setup.env,
    TMPDIR: setup.tempDir,
    PULUMI_BACKEND_URL: `file://${setup.stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: 'books-e2e-passphrase',
    PULUMI_HOME: setup.pulumiHome,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
  };
}

/** Creates (or selects) the stack with exactly `setup.config`, replacing whatever config it had. */
export async function openStack(setup: StackSetup, options: { validate: boolean }): Promise<Stack> {
  if (options.validate) validateConfig(setup.config, false);
  const pulumiCommand = await PulumiCommand.get({ root: setup.pulumiRoot, skipVersionCheck: true });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: setup.stackName, workDir: setup.projectDir },
    { envVars: pulumiEnv(setup), pulumiCommand },
  );
  const current = await stack.getAllConfig();
  const stale = Object.keys(current).map((key) => key.slice(key.indexOf(':') + 1));
  if (stale.length > 0) await stack.workspace.removeAllConfig(setup.stackName, stale);
  await stack.setAllConfig(flattenConfig(setup.config), true);
  return stack;
}

export function stackFile(setup: StackSetup): string {
  return join(setup.projectDir, `Pulumi.${setup.stackName}.yaml`);
}

/**
 * Runs the Pulumi program under mocks for one stack config and captures every resource it
 * registers. The program (index.ts) is evaluated fresh for each run, after `setMocks` +
 * `setAllConfig`, as the Pulumi runtime requires.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import * as pulumi from '@pulumi/pulumi';
import * as runtimeSettings from '@pulumi/pulumi/runtime/settings';

/** Internal to the SDK (absent from its typings): resolves once every pending registration RPC is done. */
const waitForRPCs = (runtimeSettings as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs;

interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getAdditionalsecretoutputsList(): string[];
  getRetainondelete(): boolean | undefined;
}

/** The resource options the tests check, as the registration request carries them. */
interface RecordedOptions {
  additionalSecretOutputs: string[];
  retainOnDelete: boolean;
}
interface MonitorWithRegister {
  registerResource(request: RegisterResourceRequest, callback: unknown): Promise<void>;
}

/**
 * Mocks hand `newResource` the inputs but not the resource options; the policy pack checks one of
 * them (additionalSecretOutputs) and the tests another (retainOnDelete), so record them from the
 * registration request the mock monitor gets.
 */
function recordOptions(): Map<string, RecordedOptions> {
  const recorded = new Map<string, RecordedOptions>();
  const monitor = runtimeSettings.getMonitor() as unknown as MonitorWithRegister;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    recorded.set(`${request.getType()}::${request.getName()}`, {
      additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
      retainOnDelete: request.getRetainondelete() === true,
    });
    return register(request, callback);
  };
  return recorded;
}

export const repoRoot = path.resolve(__dirname, '..', '..');

export const project = 'books-platform';

/** Values the tests use for keys that stack files hold as ciphertext or that users set with --secret. */
export const testSecrets = {
  'database.password': 'test-database-password-0123456789',
  'gateway.jwt.hs256Key': 'test-hs256-key-0123456789abcdef0123456789abcdef',
} as const;

export interface StackConfigInput {
  /** Full key → value, exactly as `pulumi.runtime.allConfig()` hands it to a program. */
  config: Record<string, string>;
  /** Full top-level keys that hold secrets. */
  secretKeys: string[];
}

const secretSig = '4dabf18193072939515e22adb298388d';
const secretValueSig = '1b47061264138c4ac30d75fd1eb44270';

/**
 * Reads Pulumi.<stack>.yaml as the CLI would hand it over: `secure:` leaves replaced by test
 * values (their keys recorded as secret), then the required secrets the file cannot hold added.
 */
export function stackFileConfig(stack: string): StackConfigInput {
  return stackDocumentConfig(fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), 'utf8'));
}

/** stackFileConfig for the text of a stack file. */
export function stackDocumentConfig(text: string): StackConfigInput {
  const document = yaml.load(text) as { config?: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries(document.config ?? {})) {
    const { plain, hadSecret } = substituteSecure(value, key);
    values[key] = plain;
    if (hadSecret) secretKeys.add(key);
  }
  const input = encode(values, [...secretKeys]);
  for (const [pathKey, value] of Object.entries(testSecrets)) {
    setPath(input, pathKey, value, { secret: true, onlyIfMissing: true });
  }
  return input;
}

function substituteSecure(value: unknown, keyPath: string): { plain: unknown; hadSecret: boolean } {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (Object.keys(record).length === 1 && typeof record.secure === 'string') {
      return { plain: `test-secret-for-${keyPath}-0123456789`, hadSecret: true };
    }
    let hadSecret = false;
    const plain: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(record)) {
      const result = substituteSecure(child, `${keyPath}.${key}`);
      plain[key] = result.plain;
      hadSecret ||= result.hadSecret;
    }
    return { plain, hadSecret };
  }
  return { plain: value, hadSecret: false };
}

function encode(values: Record<string, unknown>, secretKeys: string[]): StackConfigInput {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    config[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { config, secretKeys };
}

/**
 * Sets `a.b.c` (relative to the project namespace) in a config input, like
 * `pulumi config set [--secret] --path a.b.c <value>`; `undefined` removes it.
 */
export function setPath(
  input: StackConfigInput,
  pathKey: string,
  value: unknown,
  options: { secret?: boolean; onlyIfMissing?: boolean } = {},
): void {
  const [section, ...rest] = pathKey.split('.');
  const fullKey = `${project}:${section}`;
  if (rest.length === 0) {
    if (options.onlyIfMissing && input.config[fullKey] !== undefined) return;
    if (value === undefined) delete input.config[fullKey];
    else input.config[fullKey] = typeof value === 'string' ? value : JSON.stringify(value);
  } else {
    const root: Record<string, unknown> = input.config[fullKey] ? JSON.parse(input.config[fullKey]!) : {};
    let node = root;
    for (const key of rest.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    const leaf = rest[rest.length - 1]!;
    if (options.onlyIfMissing && node[leaf] !== undefined) return;
    if (value === undefined) delete node[leaf];
    else node[leaf] = value;
    input.config[fullKey] = JSON.stringify(root);
  }
  if (options.secret && !input.secretKeys.includes(fullKey)) input.secretKeys.push(fullKey);
}

export function cloneInput(input: StackConfigInput): StackConfigInput {
  return { config: { ...input.config }, secretKeys: [...input.secretKeys] };
}

/** A captured manifest: the tests read deep fields of arbitrary resources and assert on them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource inputs of any type; assertions check their shape
export type Manifest = Record<string, any>;

export interface CapturedResource {
  type: string;
  name: string;
  custom: boolean;
  /** Inputs with Pulumi secrets unwrapped. */
  inputs: Manifest;
  /** Inputs as registered, secrets still wrapped (see isSecretValue). */
  rawInputs: Manifest;
  /** State the mock returned (inputs + simulated outputs). */
  state: Manifest;
  additionalSecretOutputs: string[];
  retainOnDelete: boolean;
  /** Provider reference (`<urn>::<id>`) the resource was registered with. */
  provider: string | undefined;
}

export interface ProgramRun {
  resources: CapturedResource[];
  outputs: Record<string, unknown>;
}

export interface RunOptions {
  stack: string;
  dryRun?: boolean;
  /** What the cluster writes in a LoadBalancer Service's status. */
  loadBalancerIngress?: { ip?: string; hostname?: string }[];
}

export function isSecretValue(value: unknown): boolean {
  return (
    value !== null && typeof value === 'object' && (value as Record<string, unknown>)[secretSig] === secretValueSig
  );
}

export function unwrapSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return unwrapSecrets((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, unwrapSecrets(child)]));
  }
  return value;
}

const programEntry = path.join(repoRoot, 'index.ts');

/**
 * index.ts is the program: its module body registers the resources, so it is evaluated afresh
 * for every run. The modules it imports only define classes and pure functions and stay cached.
 */
function forgetProgram(): void {
  delete require.cache[programEntry];
}

function fakeDigest(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** Runs index.ts under mocks; resolves once every export has a value. Rejects with the program's error. */
export async function runProgram(input: StackConfigInput, options: RunOptions): Promise<ProgramRun> {
  const resources: CapturedResource[] = [];
  let recordedOptions = new Map<string, RecordedOptions>();
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Manifest } {
        const inputs = unwrapSecrets(args.inputs) as Manifest;
        const state: Manifest = { ...args.inputs };
        if (args.type === 'docker:index/image:Image') {
          const repository = String(inputs.imageName).replace(/:[^:/]+$/, '');
          state.repoDigest = `${repository}@sha256:${fakeDigest(inputs.imageName)}`;
        }
        if (args.type === 'kubernetes:core/v1:Service' && inputs.spec?.type === 'LoadBalancer') {
          state.status = { loadBalancer: { ingress: options.loadBalancerIngress ?? [] } };
        }
        resources.push({
          type: args.type,
          name: args.name,
          custom: args.custom ?? false,
          inputs,
          rawInputs: args.inputs,
          state,
          ...(recordedOptions.get(`${args.type}::${args.name}`) ?? {
            additionalSecretOutputs: [],
            retainOnDelete: false,
          }),
          provider: args.provider,
        });
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    project,
    options.stack,
    options.dryRun ?? false,
  );
  recordedOptions = recordOptions();
  pulumi.runtime.setAllConfig(input.config, input.secretKeys);
  forgetProgram();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous, re-evaluable load of the program
  const program = require(programEntry) as Record<string, unknown>;
  await waitForRPCs();
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(program)) {
    outputs[name] = await resolveOutput(value);
  }
  return { resources, outputs };
}

/** Loads the program expecting it to refuse the config; returns the error and what got registered. */
export async function runInvalidProgram(
  input: StackConfigInput,
  stack: string,
): Promise<{ error: Error; registered: number }> {
  let registered = 0;
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        registered++;
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
    },
    project,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(input.config, input.secretKeys);
  forgetProgram();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as in runProgram
    require(programEntry);
  } catch (error) {
    // Let any registration the program might have started reach the mock before counting.
    await waitForRPCs();
    return { error: error as Error, registered };
  }
  throw new Error('the program accepted an invalid config');
}

async function resolveOutput(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    return new Promise((resolve) => (value as pulumi.Output<unknown>).apply((resolved) => resolve(resolved)));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([key, child]) => [key, await resolveOutput(child)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

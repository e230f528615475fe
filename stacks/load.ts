import * as pulumi from '@pulumi/pulumi';
import * as runtimeConfig from '@pulumi/pulumi/runtime/config';
import { parseStackConfig, type StackConfig } from './config';

/**
 * `isConfigSecret` is exported by the SDK's runtime but marked internal (absent from its typings);
 * it is the only place that knows which keys were set with `--secret` (also under the Automation
 * API, where the environment variable is not the source).
 */
const isConfigSecret = (runtimeConfig as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;

/** Reads and validates this stack's config from the Pulumi runtime; stops the program if invalid. */
export function loadStackConfig(): StackConfig {
  const raw = pulumi.runtime.allConfig();
  const result = parseStackConfig(raw, {
    project: pulumi.getProject(),
    secretKeys: isConfigSecret ? Object.keys(raw).filter((key) => isConfigSecret(key)) : undefined,
    dryRun: pulumi.runtime.isDryRun(),
  });
  // RunError: Pulumi prints the message alone, without a stack trace.
  if (!result.ok) throw new pulumi.RunError(result.error.message);
  return result.config;
}

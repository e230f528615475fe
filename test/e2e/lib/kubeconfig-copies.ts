// pulumi-kubernetes writes the kubeconfig it is given (kubernetes.kubeconfig, or $KUBECONFIG, which the SDK passes on)
// to a fresh `kubeconfig<digits>` file in its TMPDIR on every configure, for Helm, and never deletes it
// (docs/upstream/pulumi-kubernetes-kubeconfig-copies.md). These find such copies of one cluster's kubeconfig.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The API server URL a kubeconfig names; the copies are re-serialized, so they are matched on it. */
export function apiServerOf(kubeconfigFile: string): string {
  const server = /^\s*server:\s*(\S+)\s*$/m.exec(readFileSync(kubeconfigFile, 'utf8'))?.[1];
  if (!server) throw new Error(`${kubeconfigFile} names no API server`);
  return server;
}

/** Names of the provider's copies in `dir`, written at or after `sinceMs`, of a kubeconfig for `server`. */
export function kubeconfigCopies(dir: string, server: string, sinceMs: number): string[] {
  return readdirSync(dir)
    .filter((name) => /^kubeconfig\d+$/.test(name))
    .filter((name) => {
      const file = join(dir, name);
      try {
        return statSync(file).mtimeMs >= sinceMs && readFileSync(file, 'utf8').includes(`server: ${server}\n`);
      } catch {
        return false; // another user's file, or gone since the listing: not one of ours
      }
    })
    .sort();
}

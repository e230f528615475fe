// The local single-node cluster (node.sh beside this file) for TypeScript callers (npm run test:cluster,
// npm run deploy:local): started and stopped through the script, described by the env lines it prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../docker/process';

const NODE_SCRIPT = join(__dirname, 'node.sh');

export interface LocalCluster {
  kubeconfig: string;
  context: string;
  nodeIp: string;
  registry: { server: string; username: string; password: string };
  /** Seconds `node.sh start` took, from nothing to CoreDNS and local-path ready. */
  startSeconds: number;
  /** The cluster's directory (BOOKS_CLUSTER_DIR): state, logs, and the daemons' pid files in run/. */
  dir: string;
}

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

function describeCluster(env: Record<string, string>, startSeconds: number): LocalCluster {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${NODE_SCRIPT} printed no ${name}`);
    return value;
  };
  return {
    kubeconfig: need('KUBECONFIG'),
    context: need('BOOKS_CLUSTER_CONTEXT'),
    nodeIp: need('BOOKS_CLUSTER_NODE_IP'),
    registry: {
      server: need('BOOKS_CLUSTER_REGISTRY'),
      username: need('BOOKS_CLUSTER_REGISTRY_USERNAME'),
      password: readFileSync(need('BOOKS_CLUSTER_REGISTRY_PASSWORD_FILE'), 'utf8'),
    },
    startSeconds,
    dir: need('BOOKS_CLUSTER_DIR'),
  };
}

/** Starts a fresh cluster (a stale one, e.g. of a killed run, is cleaned up first; one in use is refused). */
export async function startLocalCluster(): Promise<LocalCluster> {
  const started = Date.now();
  // This process owns the cluster: another start refuses to take it over while this process lives.
  const result = await run('bash', [NODE_SCRIPT, 'start', '--owner', String(process.pid)], { timeoutMs: 10 * 60_000 });
  return describeCluster(parseEnv(result.stdout), (Date.now() - started) / 1000);
}

/** Stops the cluster this process started (one another process started is left alone). */
export async function stopLocalCluster(): Promise<void> {
  await run('bash', [NODE_SCRIPT, 'stop', '--owner', String(process.pid)], { timeoutMs: 3 * 60_000 });
}

// Plain nginx instances for the benchmarks: the baseline proxy (upstream keepalive and nothing else: no logging, no
// request ids, no header work, no limits; one worker, like the bench's gateway), or a static JSON backend that is
// never the bottleneck (to measure a proxy's own cost).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../scripts/dev/ports';
import { nginxBinary, waitFor } from '../src/local';

export interface BareNginx {
  readonly url: string;
  stop(): Promise<void>;
}

/** What the server block does: proxy to `host:port` with keepalive, or answer a fixed JSON body itself. */
export type BareRole = { readonly proxyTo: string } | { readonly staticJson: string };

function roleBlocks(role: BareRole): { http: string; location: string } {
  if ('proxyTo' in role) {
    return {
      http: `upstream backend { server ${role.proxyTo}; keepalive 32; }`,
      location: 'proxy_pass http://backend;\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";',
    };
  }
  return { http: '', location: `default_type application/json;\n      return 200 '${role.staticJson}';` };
}

/** The bare nginx's whole config (also run under callgrind by the repository bench's cost section). */
export function bareConfig(dir: string, port: number, role: BareRole): string {
  const blocks = roleBlocks(role);
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  ${blocks.http}
  server {
    listen 127.0.0.1:${port};
    location = /bare-healthz { return 200; }
    location / {
      ${blocks.location}
    }
  }
}
`;
}

export async function startBareNginx(role: BareRole): Promise<BareNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'books-bare-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, bareConfig(dir, port, role));
  const url = `http://127.0.0.1:${port}`;
  const nginx = spawn(nginxBinary, ['-p', `${dir}/`, '-c', configFile], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => nginx.once('exit', () => resolve()));
  const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');
  const stop = async () => {
    if (nginx.exitCode === null && nginx.signalCode === null) {
      nginx.kill('SIGQUIT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (nginx.exitCode !== null) throw new Error(`bare nginx exited (${nginx.exitCode}):\n${errorLog()}`);
        return (await fetch(`${url}/bare-healthz`).catch(() => null))?.status === 200;
      },
      10_000,
      () => `bare nginx did not start:\n${errorLog()}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

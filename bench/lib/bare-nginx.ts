// Plain nginx instances for the bench: the baseline proxy (upstream keepalive and nothing else: no logging, no
// request ids, no header work, no limits; the same worker count as the dev gateway), or a static JSON backend that
// is never the bottleneck (to measure a proxy's own cost).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../scripts/dev/ports';
import { ManagedProcess, httpOk } from '../../scripts/dev/process';

export interface BareNginx {
  url: string;
  stop(): Promise<void>;
}

/** What the server block does: proxy to `host:port` with keepalive, or answer a fixed JSON body itself. */
export type BareRole = { proxyTo: string } | { staticJson: string };

function roleBlocks(role: BareRole): { http: string; location: string } {
  if ('proxyTo' in role) {
    return {
      http: `upstream backend { server ${role.proxyTo}; keepalive 32; }`,
      location: 'proxy_pass http://backend;\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";',
    };
  }
  return { http: '', location: `default_type application/json;\n      return 200 '${role.staticJson}';` };
}

/** The bare nginx's whole config (also run under callgrind by the cost section). */
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
  const [port] = await freePorts(1);
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, bareConfig(dir, port, role));
  const url = `http://127.0.0.1:${port}`;
  const nginx = new ManagedProcess({
    name: 'bare-nginx',
    command: '/usr/sbin/nginx',
    args: ['-p', dir, '-c', configFile],
    env: { PATH: process.env.PATH },
    cwd: dir,
    logFile: join(dir, 'nginx.log'),
    isReady: () => httpOk(`${url}/bare-healthz`),
  });
  await nginx.start();
  return {
    url,
    stop: async () => {
      await nginx.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

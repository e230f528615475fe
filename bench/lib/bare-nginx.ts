// The baseline proxy: a bare nginx with upstream keepalive and nothing else (no logging, no request ids, no
// header work, no limits), with the same worker count as the dev gateway, in front of the same replica.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../scripts/dev/ports';
import { ManagedProcess, httpOk } from '../../scripts/dev/process';

export interface BareProxy {
  url: string;
  stop(): Promise<void>;
}

function bareConfig(dir: string, port: number, upstream: string): string {
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
  upstream backend { server ${upstream}; keepalive 32; }
  server {
    listen 127.0.0.1:${port};
    location = /bare-healthz { return 200; }
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

export async function startBareProxy(upstream: string): Promise<BareProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'books-bare-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const [port] = await freePorts(1);
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, bareConfig(dir, port, upstream));
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

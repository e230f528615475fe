// Each stand-in's image config against its original's (originals.ts): stop signal, user, env, working directory,
// exposed ports, volumes, entrypoint and command — what a kubelet or a user of the image can tell.
import assert from 'node:assert/strict';
import { docker } from '../../scripts/docker/engine';
import { standInNames } from '../../scripts/docker/standins';
import { harness } from './harness';
import { expectedStandInConfig, ORIGINALS, type ImageConfigFacts, type Original } from './originals';

interface InspectedConfig {
  User?: string;
  WorkingDir?: string;
  StopSignal?: string;
  ExposedPorts?: Record<string, unknown> | null;
  Volumes?: Record<string, unknown> | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
}

async function configOf(tag: string): Promise<ImageConfigFacts> {
  const [image] = JSON.parse((await docker(['image', 'inspect', tag])).stdout) as { Config: InspectedConfig }[];
  if (!image) throw new Error(`image ${tag} not found`);
  const config = image.Config;
  return {
    user: config.User ?? '',
    workingDir: config.WorkingDir ?? '',
    stopSignal: config.StopSignal || undefined,
    exposedPorts: Object.keys(config.ExposedPorts ?? {}).sort(),
    volumes: Object.keys(config.Volumes ?? {}).sort(),
    entrypoint: config.Entrypoint ?? undefined,
    cmd: config.Cmd ?? [],
    env: Object.fromEntries(
      (config.Env ?? []).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    ),
  };
}

const standIns: readonly { name: string; tag: () => string; original: Original }[] = [
  { name: 'debian', tag: () => standInNames('amd64').debian, original: ORIGINALS.debian },
  { name: 'node', tag: () => standInNames('amd64').node, original: ORIGINALS.node },
  { name: 'postgres', tag: () => harness().postgresImage.tag, original: ORIGINALS.postgres },
  { name: 'nginx', tag: () => harness().nginxImage.tag, original: ORIGINALS.nginx },
];

describe('stand-in base images: the same image config as their originals', () => {
  for (const { name, tag, original } of standIns) {
    it(`${name} stand-in = ${original.image} (${original.source}), with the documented differences`, async () => {
      const expected = expectedStandInConfig(original);
      const actual = await configOf(tag());
      // One field at a time, so a failure names the property that drifted.
      for (const field of Object.keys(expected) as (keyof ImageConfigFacts)[]) {
        assert.deepEqual(actual[field], expected[field], `${tag()}: ${field} differs from ${original.image}'s`);
      }
    });
  }
});

describe("nginx stand-in: the official image's layout, which the seed design's config relies on", () => {
  it("nginx 101:101, the official nginx.conf including conf.d, logs on the container's stdout/stderr, a valid config", async () => {
    const script = [
      'id nginx',
      'readlink /var/log/nginx/access.log /var/log/nginx/error.log',
      'nginx -v 2>&1',
      'nginx -T 2>/dev/null | grep -E "^(user|worker_processes|pid|    include|    access_log)"',
      'nginx -t 2>&1 | tail -1',
    ].join(' && ');
    const { stdout } = await docker(['run', '--rm', '--entrypoint', 'sh', harness().nginxImage.tag, '-c', script]);
    assert.deepEqual(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.trim().replace(/\s+/g, ' ')),
      [
        'uid=101(nginx) gid=101(nginx) groups=101(nginx)',
        '/dev/stdout',
        '/dev/stderr',
        'nginx version: nginx/1.22.1',
        'user nginx;',
        'worker_processes auto;',
        'pid /var/run/nginx.pid;',
        'include /etc/nginx/mime.types;',
        'access_log /var/log/nginx/access.log main;',
        'include /etc/nginx/conf.d/*.conf;',
        'nginx: configuration file /etc/nginx/nginx.conf test is successful',
      ],
    );
  });
});

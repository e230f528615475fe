// Gateway cost in instructions: nginx's own (user-space) instructions per request under callgrind, the bare keepalive
// proxy vs the gateway's rendered config, same backend, same requests. Instruction counts do not depend on what
// else the machine runs, so this ratio is repeatable where the wrk ratios of a shared 2-core machine swing; it
// leaves out the kernel's share (sockets, epoll), which both proxies pay alike.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bareConfig, startBareNginx } from '../../apps/books-reverse-proxy/bench/bare-nginx';
import { BROWSER_HEADERS } from '../../apps/books-reverse-proxy/bench/compare';
import { benchGatewayOptions, STATIC_BOOK } from '../../apps/books-reverse-proxy/bench/setups';
import { buildGatewayd, nginxBinary, waitFor } from '../../apps/books-reverse-proxy/src/local';
import { renderNginxConf } from '../../apps/books-reverse-proxy/src/render';
import { freePort } from '../../scripts/dev/ports';
import { GATEWAY_FEATURES } from '../lib/gateway-features';
import { runLoad } from '../lib/load';
import type { SectionResult } from '../lib/report';

const run = promisify(execFile);
/** Requests of the short and the long run: their difference cancels start-up and shutdown. */
const SHORT_RUN = 500;
const LONG_RUN = 2_500;
const PATH = '/books/1';

interface Profile {
  instructions: number;
  /** Inclusive instructions of OpenSSL's RAND_bytes (nginx's $request_id, which the gateway no longer uses). */
  randBytes: number;
}

/** Runs nginx (one process, no master) under callgrind for `requests` GETs and reads the totals it recorded. */
async function profile(prefix: string, configFile: string, port: number, requests: number): Promise<Profile> {
  const outFile = join(prefix, `callgrind-${requests}.out`);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${outFile}`,
      nginxBinary,
      '-p',
      prefix,
      '-c',
      configFile,
      '-g',
      'master_process off;',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(url + PATH).catch(() => null))?.status === 200,
      60_000,
      () => stderr,
    );
    const load = await runLoad({
      baseUrl: url,
      concurrency: 4,
      maxRequests: requests - 1, // the readiness probe above was one
      maxDurationMs: 300_000,
      nextRequest: () => ({ method: 'GET', path: PATH, headers: BROWSER_HEADERS }),
    });
    if (load.failures > 0) throw new Error(`${load.failures} failed requests under callgrind`);
  } finally {
    child.kill('SIGQUIT');
    await exited;
  }
  const total = /Collected : (\d+)/.exec(stderr);
  if (!total) throw new Error(`callgrind reported no total:\n${stderr}`);
  const { stdout } = await run('callgrind_annotate', ['--inclusive=yes', '--threshold=100', outFile], {
    maxBuffer: 64 << 20,
  });
  const rand = /^\s*([\d,]+) \([^)]*\)\s+\S*:RAND_bytes \[/m.exec(stdout);
  return { instructions: Number(total[1]), randBytes: rand ? Number(rand[1].replace(/,/g, '')) : 0 };
}

async function perRequest(prefix: string, configFile: string, port: number): Promise<Profile> {
  const short = await profile(prefix, configFile, port, SHORT_RUN);
  const long = await profile(prefix, configFile, port, LONG_RUN);
  const n = LONG_RUN - SHORT_RUN;
  return {
    instructions: (long.instructions - short.instructions) / n,
    randBytes: (long.randBytes - short.randBytes) / n,
  };
}

export interface CostNumbers {
  bare: Profile;
  gateway: Profile;
  /** The gateway with one feature taken out (bench/lib/gateway-features.ts), per feature. */
  withoutFeature: Record<string, Profile>;
}

const instructions = (count: number): string => Math.round(count).toLocaleString('en-US');

export async function costSection(): Promise<SectionResult> {
  const backend = await startBareNginx({ staticJson: STATIC_BOOK });
  const dir = mkdtempSync(join(tmpdir(), 'books-bench-cost-'));
  try {
    const backendAddress = backend.url.replace('http://', '');
    const barePort = await freePort();
    const bareDir = join(dir, 'bare');
    mkdirSync(join(bareDir, 'tmp'), { recursive: true });
    writeFileSync(join(bareDir, 'nginx.conf'), bareConfig(bareDir, barePort, { proxyTo: backendAddress }));

    const gatewayOptions = await benchGatewayOptions(dir, backendAddress, false);
    mkdirSync(gatewayOptions.paths.tempDir, { recursive: true });
    const gatewayd = await buildGatewayd(join(dir, 'bin'));
    /**
     * Writes a config under the gateway's prefix and has gatewayd check it as the image does (`gatewayd -check` also
     * writes the files the config includes: the instance id).
     */
    const checkedConfig = async (name: string, text: string): Promise<string> => {
      const file = join(gatewayOptions.paths.tempDir, name);
      writeFileSync(file, text);
      await run(gatewayd, [
        '-check',
        '-config',
        file,
        '-nginx',
        nginxBinary,
        '-prefix',
        `${gatewayOptions.paths.tempDir}/`,
      ]);
      return file;
    };
    const rendered = renderNginxConf(gatewayOptions);
    const gatewayConfig = await checkedConfig('nginx.conf', rendered);
    // Without gatewayd nginx's stdout is /dev/null: the log line is still formatted and written, as in the image.
    const gatewayProfile = (file: string): Promise<Profile> =>
      perRequest(`${gatewayOptions.paths.tempDir}/`, file, gatewayOptions.listenPort);

    const bare = await perRequest(`${bareDir}/`, join(bareDir, 'nginx.conf'), barePort);
    const gateway = await gatewayProfile(gatewayConfig);
    const withoutFeature: Record<string, Profile> = {};
    for (const [index, feature] of GATEWAY_FEATURES.entries()) {
      withoutFeature[feature.name] = await gatewayProfile(
        await checkedConfig(`nginx-without-${index}.conf`, feature.without(rendered)),
      );
    }
    const numbers: CostNumbers = { bare, gateway, withoutFeature };
    const row = (name: string, p: Profile) => [
      name,
      instructions(p.instructions),
      `${(p.instructions / numbers.bare.instructions).toFixed(2)}×`,
      instructions(p.randBytes),
    ];
    const extra = gateway.instructions - bare.instructions;
    const share = (count: number): string => `${Math.round((100 * count) / extra)} %`;
    const featureCosts = Object.entries(withoutFeature).map(
      ([name, without]) => [name, gateway.instructions - without.instructions] as const,
    );
    const rest = extra - featureCosts.reduce((sum, [, cost]) => sum + cost, 0);
    return {
      title: 'Gateway cost in instructions (callgrind)',
      method:
        `nginx as one process (master_process off) under valgrind --tool=callgrind, GET ${PATH} with browser-like ` +
        `headers from node:http (4 keep-alive connections) to a static nginx backend; ${SHORT_RUN} and ${LONG_RUN} ` +
        'requests, per request = the difference / the difference in requests (start-up cancels). User-space ' +
        'instructions of nginx and its libraries only: the kernel’s share (sockets, epoll) is the same for both and not ' +
        'counted, so the ratio overstates the gateway’s share of CPU time. Repeatable on a busy machine. Then the ' +
        'gateway again with one feature taken out of its rendered config at a time (bench/lib/gateway-features.ts; the ' +
        'request id kept as a constant): what that feature costs per request, and its share of the gateway’s extra ' +
        'instructions over the bare proxy.',
      tables: [
        {
          columns: ['proxy', 'instructions / request', 'vs bare', 'of which RAND_bytes (nginx’s $request_id)'],
          rows: [row('bare keepalive nginx', numbers.bare), row('gateway (every feature on)', numbers.gateway)],
        },
        {
          columns: [
            'gateway feature (taken out of its config, one at a time)',
            'its instructions / request',
            `of the gateway's ${instructions(extra)} over bare`,
          ],
          rows: [
            ...featureCosts.map(([name, cost]) => [name, instructions(cost), share(cost)]),
            ['everything else (the extra minus the rows above)', instructions(rest), share(rest)],
          ],
        },
      ],
      checks: [],
      data: numbers,
    };
  } finally {
    await backend.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

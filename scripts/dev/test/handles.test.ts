/**
 * The handles of the platform started by the integration root hook work: a killed replica is gone and the gateway
 * still serves, restart() brings it back, the database restarts in place with its data, reload() applies the config,
 * the metrics endpoint answers, and the request id a client sends reaches books' log (seen through the replicas' log
 * files, which environment-only cases cannot read). Every case leaves the platform as it found it.
 */
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { currentPlatform } from '../../../test/integration/hooks/platform';
import type { Platform, ReplicaHandle } from '../platform';

/**
 * One GET on a connection of its own: fetch's pooled keep-alive connections may be the ones a reload or a killed
 * replica just closed, and a client-side "other side closed" would say nothing about the platform.
 */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { agent: false, timeout: 10_000, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}

async function killAndRestart(platform: Platform, replica: ReplicaHandle, path: string): Promise<void> {
  const oldPid = replica.pid;
  replica.kill('SIGKILL');
  assert.equal(await replica.waitForExit(10_000), true, `${replica.name} survived SIGKILL`);
  assert.equal(replica.running, false);
  await assert.rejects(get(`${replica.url}${path}`), `${replica.name} still answers after SIGKILL`);
  for (let i = 0; i < 20; i++) {
    const reply = await get(`${platform.url}${path}`);
    assert.equal(reply.status, 200, `request ${i} through the gateway with ${replica.name} dead: ${reply.text}`);
  }
  await replica.restart();
  assert.equal(replica.running, true);
  assert.notEqual(replica.pid, oldPid);
  assert.equal((await get(`${replica.url}${path}`)).status, 200);
}

describe('dev platform handles', () => {
  it('kills a books replica: the gateway keeps serving; restart() brings it back', async () => {
    const platform = currentPlatform();
    await killAndRestart(platform, platform.books[0] as ReplicaHandle, '/books?limit=1');
  });

  it('kills a books-react replica: the gateway keeps serving; restart() brings it back', async () => {
    const platform = currentPlatform();
    await killAndRestart(platform, platform.booksReact[1] as ReplicaHandle, '/');
  });

  it('restarts PostgreSQL in place: reads fail while it is down and the data is there after', async () => {
    const platform = currentPlatform();
    const created = await fetch(`${platform.url}/books`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.writeToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Through a database restart', author: 'Handles' }),
    });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    await platform.database.stop();
    assert.equal(platform.database.running, false);
    const whileDown = await get(`${platform.url}/books/${id}`);
    assert.ok(whileDown.status >= 500, `expected a 5xx while the database is down, got ${whileDown.status}`);
    await platform.database.start();
    // The replicas' pools reconnect on their own; give them a moment rather than restarting them.
    let after = await get(`${platform.url}/books/${id}`);
    for (let i = 0; i < 50 && after.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await get(`${platform.url}/books/${id}`);
    }
    assert.equal(after.status, 200, after.text);
    assert.equal((JSON.parse(after.text) as { title: string }).title, 'Through a database restart');
  });

  it('reloads the gateway config, rejecting an invalid one without breaking the running gateway', async () => {
    const platform = currentPlatform();
    const { readFileSync, writeFileSync } = await import('node:fs');
    const original = readFileSync(platform.gateway.configFile, 'utf8');
    const masterPid = platform.gateway.pid;
    await platform.gateway.reload();
    assert.equal((await get(`${platform.url}/healthz`)).status, 200);
    try {
      writeFileSync(platform.gateway.configFile, `${original}\nthis is not nginx;\n`);
      await assert.rejects(platform.gateway.reload(), /invalid/);
    } finally {
      writeFileSync(platform.gateway.configFile, original);
    }
    assert.equal((await get(`${platform.url}/books?limit=1`)).status, 200);
    assert.equal(platform.gateway.pid, masterPid);
  });

  it('passes the request id on: the id a client sends is the one books logs', async () => {
    const platform = currentPlatform();
    const requestId = `handles-${Date.now()}`;
    // Right after the reload case: fetch's pooled connection may be one the reload closed (it was, in a CI run).
    const response = await get(`${platform.url}/books?limit=1`, { 'x-request-id': requestId });
    assert.equal(response.status, 200);
    const { readFileSync } = await import('node:fs');
    const logged = (): string[] =>
      platform.books
        .filter((replica) => readFileSync(replica.logFile, 'utf8').includes(`"requestId":"${requestId}"`))
        .map((r) => r.name);
    for (let i = 0; i < 20 && logged().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(logged().length, 1, `expected exactly one books replica to log ${requestId}`);
  });

  it('exposes the gateway metrics, counting requests per route', async () => {
    const platform = currentPlatform();
    await get(`${platform.url}/books?limit=1`);
    // The counters come from the access log, which nginx flushes every second: the request shows up within that.
    const counted = /gateway_http_requests_total\{route="books",method="GET",status_class="2xx"\} [1-9]/;
    let metrics = await get(platform.gateway.metricsUrl);
    for (let i = 0; i < 30 && metrics.status === 200 && !counted.test(metrics.text); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      metrics = await get(platform.gateway.metricsUrl);
    }
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, counted);
  });
});

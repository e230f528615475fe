// Runs wrk (Debian's 4.1) with a generated Lua script that reports exact percentiles as JSON and, when a rate is
// given, paces requests to a constant schedule.
//
// Why pacing in Lua: wrk2 (constant-rate wrk) is not packaged in Debian. Each wrk thread keeps an absolute
// schedule (slot k at t0 + k / threadRate) and `delay()` waits until the next free slot, so the offered rate
// stays constant whatever the latency (open loop) as long as a connection is free. wrk's timers have millisecond
// granularity, so requests leave in small per-millisecond bursts; latency is measured from the actual send.
// A request whose slot has already passed is sent at once and counted as "late": late = 0 means no coordinated
// omission hid queueing, which is what makes the p99 honest without wrk2's correction.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertLoopback } from './loopback';

const run = promisify(execFile);
/**
 * wrk runs at this niceness: on one machine the load generator competes with the system under test for the same
 * vCPUs, and at normal priority a waking nginx or node waits behind wrk for a time slice (p99 ≈ 1 ms at half the
 * maximum rate, for a bare nginx too). Lower priority gives the proxies and backends first claim, as a generator on
 * another machine would; wrk's own delays still count — in its latencies, or as late sends when paced.
 */
const GENERATOR_NICENESS = 10;

export interface WrkOptions {
  url: string;
  connections: number;
  threads: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  /** Requests per second over all threads; omitted → as fast as possible (closed loop). */
  ratePerSecond?: number;
}

export interface WrkResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** Socket errors plus non-2xx/3xx responses. */
  errors: number;
  nonSuccessResponses: number;
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Paced runs: sends that left after their slot (0 for closed-loop runs). */
  lateSends: number;
}

const REPORT_LUA = `
threads = {}
function setup(thread)
  thread:set("late", 0)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local late = 0
  for _, t in ipairs(threads) do late = late + (t:get("late") or 0) end
  local e = summary.errors
  io.write(string.format(
    '\\nWRK_JSON {"requests":%d,"durationUs":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d,"nonSuccess":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.2f,"late":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean, late))
end
`;

function pacingLua(threadRatePerSecond: number): string {
  return `
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } wrk_timespec; int clock_gettime(int clk, wrk_timespec *tp); ]]
local ts = ffi.new("wrk_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local interval_ms = 1000 / ${threadRatePerSecond}
local next_slot = nil
late = 0
function delay()
  local now = now_ms()
  if next_slot == nil then next_slot = now end
  local wait = next_slot - now
  next_slot = next_slot + interval_ms
  if wait < 0 then
    late = late + 1
    return 0
  end
  return math.floor(wait)
end
`;
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  assertLoopback(options.url);
  const dir = mkdtempSync(join(tmpdir(), 'books-wrk-'));
  const script = join(dir, 'report.lua');
  const pacing = options.ratePerSecond ? pacingLua(options.ratePerSecond / options.threads) : '';
  writeFileSync(script, pacing + REPORT_LUA);
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.durationSeconds}s`,
    '--timeout',
    '5s',
    '-s',
    script,
    ...Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    options.url,
  ];
  try {
    const { stdout } = await run('nice', ['-n', String(GENERATOR_NICENESS), 'wrk', ...args], { maxBuffer: 1 << 20 });
    const line = stdout.split('\n').find((candidate) => candidate.startsWith('WRK_JSON '));
    if (!line) throw new Error(`wrk printed no report:\n${stdout}`);
    const raw = JSON.parse(line.slice('WRK_JSON '.length)) as Record<string, number>;
    const durationSeconds = raw.durationUs / 1e6;
    const socketErrors = raw.connectErrors + raw.readErrors + raw.writeErrors + raw.timeouts;
    return {
      requests: raw.requests,
      durationSeconds,
      requestsPerSecond: raw.requests / durationSeconds,
      errors: socketErrors + raw.nonSuccess,
      nonSuccessResponses: raw.nonSuccess,
      latencyUs: { p50: raw.p50, p90: raw.p90, p99: raw.p99, max: raw.max, mean: raw.mean },
      lateSends: raw.late,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

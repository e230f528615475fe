// Runs wrk (Debian's 4.1) with a generated Lua script that reports exact percentiles as JSON and, when a rate is
// given, paces requests to a constant schedule.
//
// Why pacing in Lua: wrk2 (constant-rate wrk) is not packaged in Debian. Each thread keeps an absolute schedule
// (slot k at t0 + k / threadRate), so the offered rate stays constant whatever the latency (open loop) as long as
// a connection is free; latency is measured from the actual send. A request whose slot has already passed is sent
// at once and counted as "late": late = 0 means no coordinated omission hid queueing, which is what makes the p99
// honest without wrk2's correction. Two ways to wait for a slot (`Pacer`):
//  - 'wrk-timers': wrk's `delay()`, whose event loop resolves whole milliseconds, so requests leave in
//    per-millisecond bursts — the sending pattern of wrk2 too, which rounds every wait up to a millisecond timer;
//  - 'nanosleep': one connection per thread, and the thread sleeps to its slot in `request()` with
//    clock_nanosleep (timer slack 1 ns), threads staggered, so requests leave evenly spaced to the microsecond.
//    Blocking a thread is harmless only because its one connection is idle until the send.
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

export const PACERS = ['wrk-timers', 'nanosleep'] as const;
/** How a paced run waits for each request's slot (see the top of this file). */
export type Pacer = (typeof PACERS)[number];

export interface WrkOptions {
  url: string;
  connections: number;
  threads: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  /** Requests per second over all threads; omitted → as fast as possible (closed loop). */
  ratePerSecond?: number;
  /** Paced runs only; default 'wrk-timers'. 'nanosleep' needs one thread per connection. */
  pacer?: Pacer;
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
  /** 'nanosleep' runs only: how far the sleeping threads woke after their slots (CPU contention delays them). */
  wakeups?: { laterThan100Us: number; maxLagUs: number };
}

/** A monotonic clock for the pacers, and the calls the nanosleep pacer makes, through LuaJIT's FFI. */
const CLOCK_LUA = `
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } wrk_timespec;
int clock_gettime(int clk, wrk_timespec *tp);
int clock_nanosleep(int clk, int flags, const wrk_timespec *req, wrk_timespec *rem);
int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("wrk_timespec")
local function now_ns()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1e9 + tonumber(now_ts.tv_nsec)
end
`;

/** Counters every pacer keeps per thread (globals of the thread's Lua state, read back in `done()`). */
const REPORT_LUA = `
threads = {}
local run_start_ns = nil
function setup(thread)
  run_start_ns = run_start_ns or now_ns()
  thread:set("start_ns", run_start_ns)
  thread:set("index", #threads)
  thread:set("late", 0)
  thread:set("late_wakeups", 0)
  thread:set("max_wake_lag_ns", 0)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local late, late_wakeups, max_wake_lag_ns = 0, 0, 0
  for _, t in ipairs(threads) do
    late = late + t:get("late")
    late_wakeups = late_wakeups + t:get("late_wakeups")
    max_wake_lag_ns = math.max(max_wake_lag_ns, t:get("max_wake_lag_ns"))
  end
  local e = summary.errors
  io.write(string.format(
    '\\nWRK_JSON {"requests":%d,"durationUs":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d,"nonSuccess":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.2f,"late":%d,"lateWakeups":%d,"maxWakeLagUs":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean, late,
    late_wakeups, math.floor(max_wake_lag_ns / 1000)))
end
`;

/** wrk's timers: `delay()` returns the milliseconds to the next slot (wrk2's sending pattern). */
function timerPacingLua(threadRatePerSecond: number): string {
  return `
local interval_ns = 1e9 / ${threadRatePerSecond}
local next_slot = nil
function delay()
  local now = now_ns()
  if next_slot == nil then next_slot = now end
  local wait_ns = next_slot - now
  next_slot = next_slot + interval_ns
  if wait_ns < 0 then
    late = late + 1
    return 0
  end
  return math.floor(wait_ns / 1e6)
end
`;
}

/**
 * One connection per thread, each thread sleeping to its slots: slot j of the run is start + j / rate and thread i
 * takes the slots j ≡ i (mod threads), from the first one still ahead when it sends its first request.
 */
function nanosleepPacingLua(ratePerSecond: number, threads: number): string {
  return `
local TIMER_ABSTIME, PR_SET_TIMERSLACK, LATE_WAKEUP_NS = 1, 29, 100000
local slot_gap_ns = 1e9 / ${ratePerSecond}
local interval_ns = slot_gap_ns * ${threads}
local wake_ts = ffi.new("wrk_timespec")
local request_bytes, next_slot = nil, nil
function request()
  if request_bytes == nil then
    request_bytes = wrk.format()
    -- The default 50 µs of timer slack would let the kernel defer and merge our wake-ups.
    ffi.C.prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0)
    local first = start_ns + index * slot_gap_ns
    next_slot = first + math.max(0, math.ceil((now_ns() - first) / interval_ns)) * interval_ns
  end
  local slot = next_slot
  next_slot = next_slot + interval_ns
  if now_ns() > slot then
    late = late + 1
    return request_bytes
  end
  wake_ts.tv_sec = math.floor(slot / 1e9)
  wake_ts.tv_nsec = slot % 1e9
  ffi.C.clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, wake_ts, nil)
  local lag = now_ns() - slot
  if lag > LATE_WAKEUP_NS then late_wakeups = late_wakeups + 1 end
  if lag > max_wake_lag_ns then max_wake_lag_ns = lag end
  return request_bytes
end
`;
}

function pacingLua(options: WrkOptions): string {
  const { ratePerSecond, threads, connections } = options;
  if (ratePerSecond === undefined) return '';
  if (!(ratePerSecond > 0 && Number.isFinite(ratePerSecond)))
    throw new Error(`ratePerSecond must be > 0, not ${ratePerSecond}`);
  const pacer = options.pacer ?? 'wrk-timers';
  if (pacer === 'wrk-timers') return timerPacingLua(ratePerSecond / threads);
  if (threads !== connections)
    throw new Error(
      `the nanosleep pacer needs one thread per connection (threads ${threads}, connections ${connections})`,
    );
  return nanosleepPacingLua(ratePerSecond, threads);
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  assertLoopback(options.url);
  const lua = CLOCK_LUA + REPORT_LUA + pacingLua(options);
  const dir = mkdtempSync(join(tmpdir(), 'books-wrk-'));
  const script = join(dir, 'report.lua');
  writeFileSync(script, lua);
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
      ...(options.ratePerSecond !== undefined && options.pacer === 'nanosleep'
        ? { wakeups: { laterThan100Us: raw.lateWakeups, maxLagUs: raw.maxWakeLagUs } }
        : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run dev`: the whole platform on this machine until Ctrl-C. Options: `npm run dev -- --help`.
 */
import { parseArgs } from 'node:util';
import { requireCommands } from '../prereqs/commands';
import { jwtKeyFiles } from './keys';
import { startPlatform, type BuildMode, type Platform } from './platform';
import { onUnexpectedExit } from './process';
import { defaultStateDir, jwtKeyDir } from './state';

const USAGE = `Usage: npm run dev -- [options]

  --port N            gateway port (env BOOKS_DEV_PORT, default 8080)
  --metrics-port N    gateway metrics port (env BOOKS_DEV_METRICS_PORT, default 9145)
  --db-port N         PostgreSQL port (env BOOKS_DEV_DB_PORT, default 55432)
  --books-ports LIST  books replica ports, one per replica (env BOOKS_DEV_BOOKS_PORTS, default 5001,5002)
  --web-ports LIST    books-react replica ports (env BOOKS_DEV_WEB_PORTS, default 3001,3002)
  --state-dir DIR     database, JWT keys and logs (env BOOKS_DEV_STATE_DIR, default ./.cache/dev)
  --no-sample-data    do not load the sample catalogue into an empty database
  --rebuild           rebuild everything (default: only what changed)
  --no-build          never build; fail if something is not built
  -h, --help          this text

Port 0 picks a free port.`;

interface Flags {
  ports: { gateway: number; metrics: number; database: number; books: number[]; booksReact: number[] };
  stateDir: string;
  loadSampleData: boolean;
  build: BuildMode;
}

function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Flags | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'metrics-port': { type: 'string' },
      'db-port': { type: 'string' },
      'books-ports': { type: 'string' },
      'web-ports': { type: 'string' },
      'state-dir': { type: 'string' },
      'no-sample-data': { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  if (values.rebuild && values['no-build']) throw new Error('--rebuild and --no-build exclude each other');
  return {
    ports: {
      gateway: port('--port', values.port ?? env.BOOKS_DEV_PORT ?? '8080'),
      metrics: port('--metrics-port', values['metrics-port'] ?? env.BOOKS_DEV_METRICS_PORT ?? '9145'),
      database: port('--db-port', values['db-port'] ?? env.BOOKS_DEV_DB_PORT ?? '55432'),
      books: portList('--books-ports', values['books-ports'] ?? env.BOOKS_DEV_BOOKS_PORTS ?? '5001,5002'),
      booksReact: portList('--web-ports', values['web-ports'] ?? env.BOOKS_DEV_WEB_PORTS ?? '3001,3002'),
    },
    stateDir: values['state-dir'] ?? defaultStateDir(env),
    loadSampleData: !values['no-sample-data'],
    build: values.rebuild ? 'always' : values['no-build'] ? 'never' : 'if-stale',
  };
}

function port(flag: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535)
    throw new Error(`${flag}: expected a port number (0-65535), got ${JSON.stringify(raw)}`);
  return value;
}

function portList(flag: string, raw: string): number[] {
  const ports = raw.split(',').map((part) => port(flag, part.trim()));
  if (ports.length === 0 || ports.length > 8) throw new Error(`${flag}: expected 1 to 8 comma-separated ports`);
  return ports;
}

/** Single quotes for a POSIX shell: the printed commands must run as printed, whatever the path. */
const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** `npm run token` finds the key of the default state directory by itself; any other needs `--key`. */
function tokenCommand(platform: Platform): string {
  const command = 'npm run token -- --sub you --scope books:write';
  const found = jwtKeyFiles(jwtKeyDir(defaultStateDir(process.env))).hs256Key;
  return platform.jwt.hs256KeyFile === found ? command : `${command} --key ${shellQuote(platform.jwt.hs256KeyFile)}`;
}

/** Commands are indented blocks, each line runnable as printed (scripts/dev/test/dev-command.test.ts runs them). */
function banner(platform: Platform): string {
  const replicas = (handles: Platform['books']): string => handles.map((r) => r.url).join(' ');
  const sample = JSON.stringify({ title: 'Kindred', author: 'Octavia E. Butler', year: 1979 });
  return [
    '',
    `books platform is up: ${platform.url}`,
    '',
    `  web app       ${platform.url}/`,
    `  books API     ${platform.url}/books`,
    `  metrics       ${platform.gateway.metricsUrl}`,
    `  books         ${replicas(platform.books)}`,
    `  books-react   ${replicas(platform.booksReact)}`,
    `  PostgreSQL    ${platform.database.url}`,
    `  logs          ${platform.logDir}`,
    '',
    'Write token (books:write, valid 24 h); paste it when the web app asks for one:',
    '',
    platform.writeToken,
    '',
    'Try the API (paste into a shell):',
    '',
    `  TOKEN=${shellQuote(platform.writeToken)}`,
    `  curl --fail-with-body -sS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `    -d ${shellQuote(sample)} ${platform.url}/books`,
    '',
    'More tokens (run in this repository; `npm run token -- --help` for the options):',
    '',
    `  ${tokenCommand(platform)}`,
    '',
    'Ctrl-C stops everything.',
  ].join('\n');
}

// When the terminal or npm is gone, writes fail (EPIPE/EIO) asynchronously; that must not crash the cleanup.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
const write = (text: string): void => void process.stdout.write(text);
const writeError = (text: string): void => void process.stderr.write(text);

/**
 * npm forwards SIGTERM only to the shell that runs this script, not to this process, and then exits; a killed or
 * closed terminal does the same. Re-parenting (our parent is gone) is the one signal that always arrives: stop then.
 */
function watchParent(onOrphaned: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onOrphaned();
    }
  }, 500);
  timer.unref();
}

async function main(): Promise<number> {
  let flags: Flags | undefined;
  try {
    flags = parseFlags(process.argv.slice(2), process.env);
  } catch (error) {
    writeError(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!flags) {
    write(`${USAGE}\n`);
    return 0;
  }
  try {
    requireCommands('dev');
  } catch (error) {
    writeError(`${(error as Error).message}\n`);
    return 1;
  }

  // Signals that arrive while starting are remembered and honoured as soon as startPlatform has returned
  // (it cleans up after itself when it fails).
  let stopRequested: NodeJS.Signals | undefined;
  let wake: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopRequested) return;
    stopRequested = signal;
    // The terminal or npm may be gone with our stdout: a failed write must not stop the cleanup.
    write(`\n${signal}: stopping the platform…\n`);
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  watchParent(() => onSignal('SIGHUP'));

  const log = (line: string): void => write(`[dev] ${line}\n`);
  onUnexpectedExit((name, how, logFile) => log(`${name} exited unexpectedly (${how}); see ${logFile}`));
  let platform: Platform;
  try {
    platform = await startPlatform({
      stateDir: flags.stateDir,
      ports: flags.ports,
      loadSampleData: flags.loadSampleData,
      build: flags.build,
      log,
    });
  } catch (error) {
    writeError(`\nnpm run dev: ${(error as Error).message}\n`);
    return 1;
  }
  if (!stopRequested) write(`${banner(platform)}\n`);
  await stopSignal;
  try {
    await platform.stop();
  } catch (error) {
    writeError(`stopping failed: ${(error as Error).message}\n`);
    return 1;
  }
  write('stopped: no process left behind.\n');
  return 0;
}

main().then((code) => process.exit(code));

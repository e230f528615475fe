// `scripts/docker/engine.sh <command>`: start|stop|status|env for the project's Docker engine, and base-images to
// build/load the stand-in base images. Everything is also callable from TypeScript (engine.ts, standins.ts).
import { DOCKER_HOST, engineEnv, engineHealthy, ENGINE, startEngine, stopEngine } from './engine';
import { ARCHES, ensureStandIns, standInNames, type Arch } from './standins';

const USAGE = `usage: scripts/docker/engine.sh start|stop [--force]|status|env|base-images [amd64|arm64|all]`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, arg] = argv;
  switch (command) {
    case 'start': {
      const { reused, seconds } = await startEngine();
      console.error(
        reused
          ? `engine already running on ${DOCKER_HOST}`
          : `engine started on ${DOCKER_HOST} in ${seconds.toFixed(1)} s`,
      );
      return 0;
    }
    case 'stop': {
      const { stopped } = await stopEngine({ force: arg === '--force' });
      console.error(stopped ? 'engine stopped' : 'engine was not running');
      return 0;
    }
    case 'status': {
      const healthy = await engineHealthy();
      console.log(healthy ? `running: ${DOCKER_HOST} (data root ${ENGINE.dataRoot})` : 'not running');
      return healthy ? 0 : 1;
    }
    case 'env':
      for (const [key, value] of Object.entries(engineEnv())) console.log(`export ${key}=${value}`);
      return 0;
    case 'base-images': {
      const arches: readonly Arch[] = arg === undefined || arg === 'all' ? ARCHES : ARCHES.filter((a) => a === arg);
      if (arches.length === 0) throw new Error(`unknown architecture ${arg}\n${USAGE}`);
      await startEngine();
      for (const r of await ensureStandIns(arches))
        console.log(
          `${r.arch}  ${r.image.padEnd(32)} ${(r.sizeBytes / 1e6).toFixed(1).padStart(6)} MB  ` +
            `${r.built ? `built in ${r.buildSeconds.toFixed(1)} s` : 'cached'}, loaded in ${r.loadSeconds.toFixed(1)} s`,
        );
      const names = Object.values(standInNames('amd64')).join(', ');
      console.log(
        `${names}: multi-platform (${arches.join(', ')}) through the engine's mirror; docker build --platform linux/<arch> needs no build args`,
      );
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

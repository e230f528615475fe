// The image config of each stand-in's original, as its Dockerfile documents it, and the differences the stand-ins
// make on purpose (scripts/docker/README.md). standins.test.ts asserts each stand-in's config against this table,
// so a stand-in that drifts from what it stands for (e.g. the PostgreSQL stand-in without the official image's
// STOPSIGNAL SIGINT: a pod stop then waited 30 s on books' connections and the next start ran crash recovery)
// fails the images suite.
import { NODE_VERSION } from '../../scripts/docker/standins';

/** The fields of `docker image inspect`'s Config that a user of the image (or a kubelet) depends on. */
export interface ImageConfigFacts {
  user: string;
  workingDir: string;
  stopSignal: string | undefined;
  exposedPorts: readonly string[];
  volumes: readonly string[];
  entrypoint: readonly string[] | undefined;
  cmd: readonly string[];
  env: Readonly<Record<string, string>>;
}

export interface Original {
  /** The image the stand-in stands for. */
  image: string;
  /** Where every value below comes from. */
  source: string;
  config: ImageConfigFacts;
  /** Env entries the stand-in has differently on purpose: its value (undefined: absent) and why. */
  envDifferences: Readonly<Record<string, { standIn: string | undefined; why: string }>>;
}

const DEBIAN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** What a Dockerfile without USER, WORKDIR, STOPSIGNAL, EXPOSE and VOLUME leaves in the config. */
const NOT_SET = { user: '', workingDir: '', stopSignal: undefined, exposedPorts: [], volumes: [] } as const;

export const ORIGINALS = {
  debian: {
    image: 'debian:bookworm-slim',
    // debuerreotype's rootfs with docker-library/official-images' config: PATH (Docker's default) and CMD ["bash"],
    // nothing else set.
    source: 'docker-library/official-images library/debian (debuerreotype build; config: Env PATH, Cmd bash)',
    config: {
      ...NOT_SET,
      entrypoint: undefined,
      cmd: ['bash'],
      env: { PATH: DEBIAN_PATH },
    },
    envDifferences: {},
  },
  node: {
    image: 'node:24-bookworm-slim',
    // nodejs/docker-node 24/bookworm-slim/Dockerfile: FROM debian:bookworm-slim, ENV NODE_VERSION, ENV YARN_VERSION,
    // ENTRYPOINT ["docker-entrypoint.sh"], CMD ["node"]; no USER (the node user 1000:1000 exists), no WORKDIR.
    source: 'nodejs/docker-node 24/bookworm-slim/Dockerfile',
    config: {
      ...NOT_SET,
      entrypoint: ['docker-entrypoint.sh'],
      cmd: ['node'],
      // The release the stand-in carries (the root devDependency `node`); the real tag moves with Node 24 releases.
      env: { PATH: DEBIAN_PATH, NODE_VERSION, YARN_VERSION: '1.22.22' },
    },
    envDifferences: {
      YARN_VERSION: { standIn: undefined, why: 'yarn is not installed: nothing here uses it' },
      NODE_EXTRA_CA_CERTS: {
        standIn: '/usr/local/share/books-standin/extra-ca.pem',
        why: "this machine's TLS egress CA, for npm in build steps (a property of this machine's stand-ins)",
      },
    },
  },
  postgres: {
    image: 'postgres:17.6-bookworm',
    // docker-library/postgres 17/bookworm/Dockerfile: ENV GOSU_VERSION, LANG en_US.utf8, PG_MAJOR 17,
    // PATH $PATH:/usr/lib/postgresql/$PG_MAJOR/bin, PG_VERSION, PGDATA /var/lib/postgresql/data;
    // VOLUME /var/lib/postgresql/data; ENTRYPOINT ["docker-entrypoint.sh"]; STOPSIGNAL SIGINT; EXPOSE 5432;
    // CMD ["postgres"]; no USER (root; the entrypoint steps down to postgres 999:999), no WORKDIR.
    source:
      'docker-library/postgres 17/bookworm/Dockerfile; values of the 17.6 build of 2025-09-08 (docker-library/repo-info)',
    config: {
      user: '',
      workingDir: '',
      stopSignal: 'SIGINT',
      exposedPorts: ['5432/tcp'],
      volumes: ['/var/lib/postgresql/data'],
      entrypoint: ['docker-entrypoint.sh'],
      cmd: ['postgres'],
      env: {
        PATH: `${DEBIAN_PATH}:/usr/lib/postgresql/17/bin`,
        GOSU_VERSION: '1.18',
        LANG: 'en_US.utf8',
        PG_MAJOR: '17',
        PG_VERSION: '17.6-1.pgdg12+1',
        PGDATA: '/var/lib/postgresql/data',
      },
    },
    envDifferences: {
      PATH: {
        standIn: `${DEBIAN_PATH}:/usr/lib/postgresql/15/bin`,
        why: "Debian bookworm's PostgreSQL is 15 (17 is not in bookworm); same place in PATH",
      },
      PG_MAJOR: { standIn: '15', why: "Debian bookworm's PostgreSQL is 15" },
      PG_VERSION: { standIn: undefined, why: "the PGDG package version; the stand-in installs Debian's package" },
      GOSU_VERSION: { standIn: undefined, why: "no gosu: util-linux's setpriv steps down from root" },
    },
  },
  nginx: {
    image: 'nginx:1.22.1',
    // nginxinc/docker-nginx stable/debian/Dockerfile at 1.22.1: FROM debian:bullseye-slim, ENV NGINX_VERSION,
    // NJS_VERSION, PKG_RELEASE; ENTRYPOINT ["/docker-entrypoint.sh"]; EXPOSE 80; STOPSIGNAL SIGQUIT;
    // CMD ["nginx", "-g", "daemon off;"]; no USER (the master runs as root, workers as nginx 101:101), no WORKDIR.
    // The seed design's gateway ran it; the bench's cluster section runs the stand-in (scripts/docker/nginx).
    source: 'nginxinc/docker-nginx stable/debian/Dockerfile, 1.22.1 (its last rebuild: njs 0.7.9)',
    config: {
      ...NOT_SET,
      stopSignal: 'SIGQUIT',
      exposedPorts: ['80/tcp'],
      entrypoint: ['/docker-entrypoint.sh'],
      cmd: ['nginx', '-g', 'daemon off;'],
      env: { PATH: DEBIAN_PATH, NGINX_VERSION: '1.22.1', NJS_VERSION: '0.7.9', PKG_RELEASE: '1~bullseye' },
    },
    envDifferences: {
      NJS_VERSION: { standIn: undefined, why: 'no njs module: the seed config uses none' },
      PKG_RELEASE: {
        standIn: undefined,
        why: "nginx.org's package release; the stand-in installs Debian bookworm's build of the same nginx release",
      },
    },
  },
} as const satisfies Record<string, Original>;

/** What the stand-in's config must be: the original's, with the documented differences applied. */
export function expectedStandInConfig(original: Original): ImageConfigFacts {
  const env: Record<string, string> = { ...original.config.env };
  for (const [key, { standIn }] of Object.entries(original.envDifferences)) {
    if (standIn === undefined) delete env[key];
    else env[key] = standIn;
  }
  return { ...original.config, env };
}

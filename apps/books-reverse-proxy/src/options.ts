/**
 * Everything `renderNginxConf` needs, with the image's defaults. Callers override what differs:
 * `{ ...defaultGatewayOptions(), listenPort: 18080, backends: { kind: 'static', addresses: {...} } }`.
 * Names here are a contract with the Pulumi program and the local runs: extend, never rename.
 */
import { routes, type Route } from './routes';

export const jwtAlgorithms = ['HS256', 'RS256'] as const;
export type JwtAlgorithm = (typeof jwtAlgorithms)[number];

/** How each route's upstream servers are found. */
export type BackendAddressing = DnsBackendAddressing | StaticBackendAddressing;

/**
 * Production: backends are DNS names (by default the Kubernetes Service FQDN
 * `<service>.<namespace>.svc.<clusterDomain>`). The image's supervisor (gatewayd) resolves them, writes each
 * upstream's server lines into `<tempDir>/gateway-upstreams/<route>.conf`, re-resolves every `refreshSeconds` and
 * reloads nginx only when an address set changes. A name that does not resolve yet becomes a `down` placeholder,
 * so nginx starts and only that route answers 502 JSON.
 */
export interface DnsBackendAddressing {
  readonly kind: 'dns';
  readonly namespace: string;
  readonly clusterDomain: string;
  /** Route name → host name, replacing the Kubernetes FQDN (tests, non-Kubernetes DNS). */
  readonly hosts?: Readonly<Record<string, string>>;
  /** `host:port` of the DNS server gatewayd asks; omitted → the system resolver (/etc/resolv.conf). */
  readonly resolver?: string;
  readonly refreshSeconds: number;
  /**
   * Each resolved address is listed this many times, so that `proxy_next_upstream` has a second try even when the
   * name is one ClusterIP (kube-proxy then picks another pod for the retry).
   */
  readonly copiesPerAddress: number;
}

/** Local runs and tests: explicit `host:port` addresses per route name (several = replicas); no DNS involved. */
export interface StaticBackendAddressing {
  readonly kind: 'static';
  readonly addresses: Readonly<Record<string, readonly string[]>>;
}

export interface JwtOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Allow-list; a token whose `alg` is not listed (including `none`) is rejected. */
  readonly algorithms: readonly JwtAlgorithm[];
  /** File holding the HS256 shared secret's raw bytes (read per request, so a rotated Secret applies at once). */
  readonly hs256KeyFile: string;
  /** SPKI PEM public key for RS256. */
  readonly rs256PublicKeyFile: string;
  /** Tolerance applied to `exp` and `nbf`. */
  readonly clockSkewSeconds: number;
  /** `realm` of the WWW-Authenticate challenge. */
  readonly realm: string;
}

export interface LimitOptions {
  /** Per client address (after real-IP processing); excess → 429 with Retry-After. */
  readonly requestsPerSecond: number;
  readonly burst: number;
  /** Concurrent connections per client address on routed locations; excess → 429. */
  readonly connectionsPerClient: number;
  /** nginx size, e.g. `1m`; larger bodies → 413. */
  readonly maxBodySize: string;
  /** Request line / header line longer than this → 414 / 431. nginx size, e.g. `8k`. */
  readonly maxHeaderLineSize: string;
  /** Number of `maxHeaderLineSize` buffers for all headers together. */
  readonly headerBuffers: number;
}

export interface TimeoutOptions {
  /** Client must send the whole request head within this (slowloris) → 408. */
  readonly clientHeaderSeconds: number;
  /** Max gap between two reads of the request body → 408. */
  readonly clientBodySeconds: number;
  readonly clientSendSeconds: number;
  readonly clientKeepaliveSeconds: number;
  readonly upstreamConnectSeconds: number;
  /** Max gap between two reads from the upstream → 504. */
  readonly upstreamReadSeconds: number;
  readonly upstreamSendSeconds: number;
}

export interface UpstreamOptions {
  /** Idle keepalive connections cached per nginx worker and upstream. */
  readonly keepaliveConnections: number;
  /** Must stay below the backends' own idle timeout (Node's default keepAliveTimeout is 5 s). */
  readonly keepaliveTimeoutSeconds: number;
  /**
   * The longest one upstream connection carries new requests (nginx `keepalive_time`; checked as each request
   * ends). Through a ClusterIP a kept connection stays with its pod after the pod left the endpoints, so this bounds
   * how long a terminating pod still gets requests: its preStop sleep must outlast it (components/drain.ts).
   */
  readonly keepaliveTimeSeconds: number;
  readonly keepaliveRequests: number;
  /** Total tries (first attempt included) for idempotent requests on connect error/timeout/502/503/504. */
  readonly retryTries: number;
  /** Time budget for all tries of one request. */
  readonly retryTimeoutSeconds: number;
  /**
   * Passive health: failures within `failTimeoutSeconds` that take a server out for `failTimeoutSeconds`.
   * 0 disables it — right for a ClusterIP (one virtual address for all pods), useful for real replicas.
   */
  readonly maxFails: number;
  readonly failTimeoutSeconds: number;
}

export interface TlsOptions {
  /** HTTPS listen port; the plain port then only serves /healthz and redirects everything else. */
  readonly port: number;
  readonly certificateFile: string;
  readonly keyFile: string;
  /** Port clients use for HTTPS (what the redirect points to): 443 behind the Service. */
  readonly redirectPort: number;
}

export interface MetricsOptions {
  /** gatewayd serves Prometheus `/metrics` here; never routed by nginx. */
  readonly port: number;
  readonly listenAddress: string;
}

export interface AccessLogBufferOptions {
  /** nginx size: lines are written in batches of up to this (fewer syscalls and wake-ups under load). */
  readonly size: string;
  /** A batch is written at the latest after this long. */
  readonly flushSeconds: number;
}

export interface PathOptions {
  /** The only writable directory nginx needs: pid file, body/proxy temp files, gatewayd's upstream files. */
  readonly tempDir: string;
  /** Directory holding gateway.js (the njs JWT module). */
  readonly njsDir: string;
  /** Directory of nginx dynamic modules (ngx_http_js_module.so). */
  readonly nginxModulesDir: string;
}

export interface GatewayRenderOptions {
  readonly routes: readonly Route[];
  /** Plain HTTP port (the Service maps 80 → 8080). */
  readonly listenPort: number;
  /** Address to bind; omitted → all IPv4 addresses. Tests use 127.0.0.1. */
  readonly listenAddress?: string;
  readonly backends: BackendAddressing;
  readonly jwt: JwtOptions;
  readonly limits: LimitOptions;
  /** CIDRs whose X-Forwarded-For is believed (load balancers, ingress); empty → the peer address is the client. */
  readonly trustedProxies: readonly string[];
  readonly timeouts: TimeoutOptions;
  readonly upstream: UpstreamOptions;
  /** null → plain HTTP only, no HSTS. */
  readonly tls: TlsOptions | null;
  /** null → no exporter (nginx run without gatewayd, or metrics not wanted). */
  readonly metrics: MetricsOptions | null;
  /** Buffering of the JSON access log on stdout; null → one write per request. */
  readonly accessLogBuffer: AccessLogBufferOptions | null;
  readonly paths: PathOptions;
  readonly workerProcesses: number | 'auto';
  readonly workerConnections: number;
  /** Bounds a graceful stop/reload: old workers close remaining connections after this. */
  readonly workerShutdownTimeoutSeconds: number;
}

/** The image's defaults (what config/nginx.conf is rendered from). */
export function defaultGatewayOptions(): GatewayRenderOptions {
  return {
    routes,
    listenPort: 8080,
    backends: {
      kind: 'dns',
      namespace: 'books',
      clusterDomain: 'cluster.local',
      refreshSeconds: 5,
      copiesPerAddress: 2,
    },
    jwt: {
      issuer: 'books-platform',
      audience: 'books-api',
      algorithms: ['HS256', 'RS256'],
      hs256KeyFile: '/etc/gateway/jwt/hs256.key',
      rs256PublicKeyFile: '/etc/gateway/jwt/rs256.pub.pem',
      clockSkewSeconds: 30,
      realm: 'books',
    },
    limits: {
      requestsPerSecond: 50,
      burst: 100,
      connectionsPerClient: 50,
      maxBodySize: '1m',
      maxHeaderLineSize: '8k',
      headerBuffers: 4,
    },
    trustedProxies: [],
    timeouts: {
      clientHeaderSeconds: 10,
      clientBodySeconds: 10,
      clientSendSeconds: 10,
      clientKeepaliveSeconds: 30,
      upstreamConnectSeconds: 2,
      upstreamReadSeconds: 30,
      upstreamSendSeconds: 30,
    },
    upstream: {
      keepaliveConnections: 32,
      keepaliveTimeoutSeconds: 4,
      keepaliveTimeSeconds: 2,
      keepaliveRequests: 1000,
      retryTries: 2,
      retryTimeoutSeconds: 10,
      maxFails: 0,
      failTimeoutSeconds: 5,
    },
    tls: null,
    metrics: { port: 9145, listenAddress: '0.0.0.0' },
    accessLogBuffer: { size: '64k', flushSeconds: 1 },
    paths: {
      tempDir: '/tmp',
      njsDir: '/usr/share/books-gateway/njs',
      nginxModulesDir: '/usr/lib/nginx/modules',
    },
    workerProcesses: 'auto',
    workerConnections: 4096,
    workerShutdownTimeoutSeconds: 20,
  };
}

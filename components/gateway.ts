import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  defaultGatewayOptions,
  type GatewayRenderOptions,
  type JwtAlgorithm,
} from '../apps/books-reverse-proxy/src/options';
import { renderNginxConf } from '../apps/books-reverse-proxy/src/render';
import { cpuMillis, type GatewayConfig } from '../stacks/config';
import type { ContainerSize } from '../stacks/targets';
import { preStopSleepSeconds } from './drain';
import { gatewayUrl } from './gateway-url';
import { contentChecksum, selectorLabels, workloadLabels } from './pod-spec';
import { WebService } from './web-service';

export const gatewayNames = {
  workload: 'books-reverse-proxy',
  service: 'books-reverse-proxy-service',
  configMap: 'books-reverse-proxy-config',
  jwtSecret: 'books-reverse-proxy-jwt',
  configFile: '/etc/gateway/nginx.conf',
  jwtDir: '/etc/gateway/jwt',
  tlsDir: '/etc/gateway/tls',
} as const;

/** Container ports (docs/contracts.md). */
export const gatewayPorts = { http: 8080, https: 8443 } as const;

/**
 * nginx workers for a CPU limit: one per whole CPU the container may use, at least one. nginx 1.22's `auto` counts
 * the node's CPUs, not the container's quota: on a 16-CPU node a 250m gateway would run 16 workers that the CFS
 * quota throttles together (tail-latency spikes), each with its own upstream keepalive pools and memory.
 */
export function gatewayWorkerProcesses(cpuLimit: string): number {
  return Math.max(1, Math.ceil(cpuMillis(cpuLimit) / 1000));
}

/** The renderer's options for this stack: the image's defaults plus what the stack config decides. */
export function gatewayRenderOptions(
  namespace: string,
  gateway: GatewayConfig,
  size: ContainerSize,
): GatewayRenderOptions {
  const defaults = defaultGatewayOptions();
  const algorithms: JwtAlgorithm[] = [];
  if (gateway.jwt.hs256Key !== undefined) algorithms.push('HS256');
  if (gateway.jwt.rs256PublicKey !== undefined) algorithms.push('RS256');
  return {
    ...defaults,
    listenPort: gatewayPorts.http,
    backends: defaults.backends.kind === 'dns' ? { ...defaults.backends, namespace } : defaults.backends,
    trustedProxies: gateway.trustedProxies ?? [],
    workerProcesses: gatewayWorkerProcesses(size.cpuLimit),
    jwt: { ...defaults.jwt, issuer: gateway.jwt.issuer, audience: gateway.jwt.audience, algorithms },
    limits: {
      ...defaults.limits,
      requestsPerSecond: gateway.rateLimit.requestsPerSecond,
      burst: gateway.rateLimit.burst,
    },
    tls:
      gateway.tlsSecret === undefined
        ? null
        : {
            port: gatewayPorts.https,
            certificateFile: `${gatewayNames.tlsDir}/tls.crt`,
            keyFile: `${gatewayNames.tlsDir}/tls.key`,
            redirectPort: gateway.tlsPort,
          },
  };
}

export interface GatewayArgs {
  namespace: string;
  gateway: GatewayConfig;
  image: pulumi.Input<string>;
  imagePullPolicy: string;
  imagePullSecrets: pulumi.Input<string>[];
  nodeArch: string | undefined;
  replicas: number;
  size: ContainerSize;
}

/**
 * The API gateway: nginx.conf rendered from the route table into a ConfigMap (its checksum on the
 * pod template rolls the pods on change), the JWT key Secret, optional TLS, and the only Service
 * of the platform reachable from outside the cluster.
 */
export class Gateway extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly nginxConf: string;
  readonly workloadName = gatewayNames.workload;
  readonly podSelector = selectorLabels(gatewayNames.workload);
  readonly publicPorts: number[];
  readonly metricsPort: number;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super('books-platform:index:Gateway', name, {}, opts);
    const { gateway, namespace } = args;
    const options = gatewayRenderOptions(namespace, gateway, args.size);
    this.nginxConf = renderNginxConf(options);
    const labels = workloadLabels(gatewayNames.workload, 'gateway');
    const tls = options.tls !== null;
    this.metricsPort = options.metrics?.port ?? defaultGatewayOptions().metrics!.port;
    this.publicPorts = tls ? [gatewayPorts.http, gatewayPorts.https] : [gatewayPorts.http];

    const configMap = new k8s.core.v1.ConfigMap(
      name,
      {
        metadata: { name: gatewayNames.configMap, namespace, labels },
        data: { 'nginx.conf': this.nginxConf },
      },
      { parent: this },
    );

    const jwtKeys: Record<string, pulumi.Output<string>> = {};
    if (gateway.jwt.hs256Key !== undefined) jwtKeys['hs256.key'] = pulumi.secret(gateway.jwt.hs256Key);
    if (gateway.jwt.rs256PublicKey !== undefined) jwtKeys['rs256.pub.pem'] = pulumi.secret(gateway.jwt.rs256PublicKey);
    const jwtSecret = new k8s.core.v1.Secret(
      `${name}-jwt`,
      { metadata: { name: gatewayNames.jwtSecret, namespace, labels }, type: 'Opaque', stringData: jwtKeys },
      { parent: this, additionalSecretOutputs: ['data', 'stringData'] },
    );

    const volumes: k8s.types.input.core.v1.Volume[] = [
      { name: 'config', configMap: { name: gatewayNames.configMap } },
      { name: 'jwt', secret: { secretName: gatewayNames.jwtSecret, defaultMode: 0o440 } },
      { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
    ];
    const volumeMounts: k8s.types.input.core.v1.VolumeMount[] = [
      // subPath: the jwt/tls mounts under /etc/gateway could not be created inside a read-only volume.
      { name: 'config', mountPath: gatewayNames.configFile, subPath: 'nginx.conf', readOnly: true },
      { name: 'jwt', mountPath: gatewayNames.jwtDir, readOnly: true },
      { name: 'tmp', mountPath: options.paths.tempDir },
    ];
    if (tls) {
      volumes.push({ name: 'tls', secret: { secretName: gateway.tlsSecret, defaultMode: 0o440 } });
      volumeMounts.push({ name: 'tls', mountPath: gatewayNames.tlsDir, readOnly: true });
    }

    const web = new WebService(
      name,
      {
        name: gatewayNames.workload,
        component: 'gateway',
        namespace,
        image: args.image,
        imagePullPolicy: args.imagePullPolicy,
        imagePullSecrets: args.imagePullSecrets,
        nodeArch: args.nodeArch,
        replicas: args.replicas,
        size: args.size,
        containerPorts: [
          { name: 'http', port: gatewayPorts.http },
          ...(tls ? [{ name: 'https', port: gatewayPorts.https }] : []),
          { name: 'metrics', port: this.metricsPort },
        ],
        probePort: 'http',
        readinessPath: '/healthz',
        volumes,
        volumeMounts,
        podAnnotations: { 'books-platform/config-checksum': contentChecksum(this.nginxConf) },
        // gatewayd turns SIGTERM into nginx's graceful stop, bounded by worker_shutdown_timeout.
        drain: {
          preStopSleepSeconds: preStopSleepSeconds.gateway,
          shutdownSeconds: options.workerShutdownTimeoutSeconds,
        },
        service: {
          name: gatewayNames.service,
          type: gateway.serviceType,
          // Both listeners with TLS: plain HTTP answers the redirect to HTTPS. The configured node port goes to
          // the one the URL names.
          ports: tls
            ? [
                { name: 'http', port: gateway.port },
                { name: 'https', port: gateway.tlsPort, nodePort: gateway.nodePort },
              ]
            : [{ name: 'http', port: gateway.port, nodePort: gateway.nodePort }],
          awaitAddress: gateway.awaitAddress,
          annotations: gateway.serviceAnnotations,
          externalTrafficPolicy: gateway.serviceType === 'LoadBalancer' ? 'Local' : undefined,
        },
      },
      { parent: this, dependsOn: [configMap, jwtSecret] },
    );

    this.url = web.service.status.apply((status) =>
      gatewayUrl({
        serviceType: gateway.serviceType,
        serviceName: gatewayNames.service,
        namespace,
        port: tls ? gateway.tlsPort : gateway.port,
        nodePort: gateway.nodePort,
        tls,
        publicHost: gateway.publicHost,
        ingress: status?.loadBalancer?.ingress,
      }),
    );
    this.registerOutputs({ url: this.url });
  }
}

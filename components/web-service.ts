import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { ContainerSize, GatewayServiceType } from '../stacks/targets';
import { gracefulStop, type Drain } from './drain';
import {
  appUid,
  containerResources,
  pullSecretRefs,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  selectorLabels,
  spreadOverNodes,
  workloadLabels,
} from './pod-spec';

type Input<T> = pulumi.Input<T>;

export interface WebServiceArgs {
  /** Deployment and pod name (`app.kubernetes.io/name`). */
  name: string;
  /** `app.kubernetes.io/component`. */
  component: string;
  namespace: Input<string>;
  image: Input<string>;
  imagePullPolicy: string;
  /** Names of dockerconfigjson Secrets the kubelet pulls the image with. */
  imagePullSecrets: Input<string>[];
  replicas: number;
  size: ContainerSize;
  /** Container ports; only `service.targetPort` is published by the Service (never metrics). */
  containerPorts: { name: string; port: number }[];
  /** Name of the container port the HTTP probes use. */
  probePort: string;
  /**
   * HTTP liveness check; undefined: liveness is "the port accepts connections" (a TCP probe). Never the readiness
   * check itself: an overloaded pod must be taken out of rotation, not restarted.
   */
  livenessPath?: string;
  readinessPath: string;
  env?: Input<Input<k8s.types.input.core.v1.EnvVar>[]>;
  volumes?: Input<k8s.types.input.core.v1.Volume>[];
  volumeMounts?: Input<k8s.types.input.core.v1.VolumeMount>[];
  podAnnotations?: Input<Record<string, Input<string>>>;
  /** preStop sleep and drain deadline: the pod's graceful stop (components/drain.ts). */
  drain: Drain;
  /** `kubernetes.io/arch` of the nodes the image was built for; undefined: any node (the engine's own). */
  nodeArch?: string | undefined;
  service: {
    name: string;
    type: GatewayServiceType;
    /** Published ports; each forwards to the container port of the same name. */
    ports: { name: string; port: number; nodePort?: number | undefined }[];
    /** false: do not wait for a LoadBalancer address the target cannot give (kwok, a pending tunnel). */
    awaitAddress?: boolean;
    /** The target's load balancer annotations (LoadBalancer only). */
    annotations?: Readonly<Record<string, string>>;
    /** Local keeps the client's address (rate limits are per client) on LoadBalancer/NodePort. */
    externalTrafficPolicy?: 'Local' | 'Cluster';
  };
}

/**
 * A new pod is Ready only after its first successful startup probe, and a rolling update waits for each new pod in
 * turn, so the period's rounding is paid at every step of a rollout: on the local cluster, with a 2 s period, a books
 * pod's container ran 0.35–0.6 s after the pod's creation and the pod became Ready 2.1–3.0 s after it. Probing every
 * second for up to 60 s keeps the same budget for a slow start (a Raspberry Pi's SD card).
 */
const STARTUP_PROBE = { periodSeconds: 1, failureThreshold: 60 } as const;

/**
 * One stateless HTTP workload: Deployment (restricted PSS, probes, resources, zero-downtime rolling
 * updates, graceful stop, spread over nodes), its Service under a fixed name, and a PodDisruptionBudget.
 */
export class WebService extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly service: k8s.core.v1.Service;
  /** Labels that select this workload's pods (for NetworkPolicies). */
  readonly podSelector: Record<string, string>;

  constructor(name: string, args: WebServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('books-platform:index:WebService', name, {}, opts);
    const labels = workloadLabels(args.name, args.component);
    const selector = selectorLabels(args.name);
    this.podSelector = selector;
    const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
      httpGet: { path, port: args.probePort },
      periodSeconds,
      timeoutSeconds: 2,
      failureThreshold,
    });
    const stop = gracefulStop(args.drain);

    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: { name: args.name, namespace: args.namespace, labels },
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: selector },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels, annotations: args.podAnnotations },
            spec: {
              automountServiceAccountToken: false,
              imagePullSecrets: pullSecretRefs(args.imagePullSecrets),
              securityContext: restrictedPodSecurityContext(appUid),
              topologySpreadConstraints: spreadOverNodes(args.name),
              nodeSelector: args.nodeArch === undefined ? undefined : { 'kubernetes.io/arch': args.nodeArch },
              terminationGracePeriodSeconds: stop.terminationGracePeriodSeconds,
              containers: [
                {
                  name: args.name,
                  image: args.image,
                  imagePullPolicy: args.imagePullPolicy,
                  ports: args.containerPorts.map((port) => ({
                    name: port.name,
                    containerPort: port.port,
                    protocol: 'TCP',
                  })),
                  env: args.env,
                  startupProbe: probe(
                    args.livenessPath ?? args.readinessPath,
                    STARTUP_PROBE.periodSeconds,
                    STARTUP_PROBE.failureThreshold,
                  ),
                  livenessProbe:
                    args.livenessPath === undefined
                      ? {
                          tcpSocket: { port: args.probePort },
                          periodSeconds: 10,
                          timeoutSeconds: 2,
                          failureThreshold: 3,
                        }
                      : probe(args.livenessPath, 10, 3),
                  readinessProbe: probe(args.readinessPath, 5, 2),
                  lifecycle: stop.lifecycle,
                  resources: containerResources(args.size),
                  securityContext: restrictedContainerSecurityContext(appUid),
                  volumeMounts: args.volumeMounts,
                },
              ],
              volumes: args.volumes,
            },
          },
        },
      },
      { parent: this },
    );

    const service = args.service;
    this.service = new k8s.core.v1.Service(
      name,
      {
        metadata: {
          name: service.name,
          namespace: args.namespace,
          labels,
          annotations: serviceAnnotations(service),
        },
        spec: {
          type: service.type,
          externalTrafficPolicy: service.externalTrafficPolicy,
          selector,
          ports: service.ports.map((port) => ({
            name: port.name,
            port: port.port,
            targetPort: port.name,
            protocol: 'TCP',
            nodePort: port.nodePort,
          })),
        },
      },
      { parent: this, dependsOn: [this.deployment] },
    );

    new k8s.policy.v1.PodDisruptionBudget(
      name,
      {
        metadata: { name: args.name, namespace: args.namespace, labels },
        // maxUnavailable (not minAvailable) so a single replica still lets a node drain.
        spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
      },
      { parent: this },
    );

    this.registerOutputs({ deployment: this.deployment.metadata.name, service: this.service.metadata.name });
  }
}

function serviceAnnotations(service: WebServiceArgs['service']): Record<string, string> | undefined {
  if (service.type !== 'LoadBalancer') return undefined;
  const annotations: Record<string, string> = { ...service.annotations };
  if (service.awaitAddress === false) annotations['pulumi.com/skipAwait'] = 'true';
  return Object.keys(annotations).length === 0 ? undefined : annotations;
}

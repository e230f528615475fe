/**
 * Graceful stop of the web workloads. When a pod is deleted, the kubelet runs its preStop hook and
 * then sends SIGTERM, while the endpoint removal travels to kube-proxy on every node (and, for the
 * gateway, to a cloud load balancer's health checks) at the same time. books, books-react and the
 * gateway all stop accepting connections at SIGTERM, so without a pause, connections still routed
 * to the pod would be refused (and requests on connections kept open to it answered 503). The preStop sleep keeps the pod serving until the removal has
 * propagated; the grace period, counted from the start of preStop, covers the sleep, the app's own
 * drain deadline and a little slack for the process to exit before SIGKILL.
 *
 * The hook is the kubelet's `sleep` action (KEP-3960: beta and on by default since Kubernetes 1.30,
 * GA in 1.34), not an exec: it needs nothing in the image. books-react's image is `FROM scratch`
 * (no shell, no `sleep`), so an exec hook would need a sleep mode added to each app's binary. The
 * price is a minimum Kubernetes version of 1.30
 * (1.29 only with the PodLifecycleSleepAction feature gate); @pulumi/kubernetes 4.34.2 types it and
 * the kubernetes-models 5.1.0 schema the tests validate against knows it.
 */
import type * as k8s from '@pulumi/kubernetes';
import { defaultGatewayOptions, type UpstreamOptions } from '../apps/books-reverse-proxy/src/options';

export interface Drain {
  /** Seconds the pod keeps serving in preStop, before SIGTERM. */
  preStopSleepSeconds: number;
  /** The app's own deadline for in-flight requests after SIGTERM. */
  shutdownSeconds: number;
}

/**
 * How long after a pod's deletion kube-proxy may still give it new connections: the endpoint removal reaching
 * kube-proxy (≈ 1 s on the local cluster; 2 allows for a busy API server).
 */
export const endpointPropagationSeconds = 2;

/**
 * The preStop sleep of a backend the gateway reaches through its ClusterIP with upstream keepalive. A kept
 * connection stays with its pod after the pod left the endpoints; the gateway retires it at the end of the first
 * request after it is `keepalive_time` old, or when it sat idle `keepalive_timeout`. So the last request a deleted
 * pod can get starts within propagation + keepalive_time + keepalive_timeout of the deletion, and the pod must still
 * serve then: with 5 s, a write under load met books' Fastify answering 503 while closing (1 of 590 requests of a
 * rollout on the local cluster).
 */
export function backendPreStopSleepSeconds(upstream: UpstreamOptions): number {
  return endpointPropagationSeconds + upstream.keepaliveTimeSeconds + upstream.keepaliveTimeoutSeconds;
}

const gatewayUpstream = defaultGatewayOptions().upstream;

/** How long each workload waits in preStop. */
export const preStopSleepSeconds = {
  books: backendPreStopSleepSeconds(gatewayUpstream),
  booksReact: backendPreStopSleepSeconds(gatewayUpstream),
  // A load balancer in front (externalTrafficPolicy Local) stops sending only after its node health
  // check has failed a few times, typically intervals of a few seconds.
  gateway: 10,
} as const;

/** The apps' drain deadlines; the gateway's is its renderer option `workerShutdownTimeoutSeconds`. */
export const shutdownSeconds = {
  /** Passed to books as SHUTDOWN_TIMEOUT_MS (its own default too). */
  books: 20,
  /** Fixed in books-react's server (apps/books-react/README.md). */
  booksReact: 10,
} as const;

/** Time after the app's deadline for it to exit and flush its logs before the kubelet kills it. */
const exitSlackSeconds = 5;

export interface GracefulStop {
  lifecycle: k8s.types.input.core.v1.Lifecycle;
  terminationGracePeriodSeconds: number;
}

/** The container hook and pod grace period for a drain. */
export function gracefulStop(drain: Drain): GracefulStop {
  return {
    lifecycle: { preStop: { sleep: { seconds: drain.preStopSleepSeconds } } },
    terminationGracePeriodSeconds: drain.preStopSleepSeconds + drain.shutdownSeconds + exitSlackSeconds,
  };
}

/**
 * The books platform's policies. Each validation is a plain function of the resource's type and
 * properties, so policy/test/ calls them directly and the program's mocked tests run them over
 * every resource the program registers.
 */
import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';

/** The only Service allowed to be reachable from outside the cluster (docs/contracts.md). */
export const gatewayServiceName = 'books-reverse-proxy-service';

/** A manifest as the policy API hands it over (its own typing is Record<string, any>). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary Kubernetes manifests, read defensively with ?.
type Props = Record<string, any>;

const podTemplateTypes: Record<string, (props: Props) => Props | undefined> = {
  'kubernetes:apps/v1:Deployment': (props) => props.spec?.template,
  'kubernetes:apps/v1:StatefulSet': (props) => props.spec?.template,
  'kubernetes:apps/v1:DaemonSet': (props) => props.spec?.template,
  'kubernetes:apps/v1:ReplicaSet': (props) => props.spec?.template,
  'kubernetes:batch/v1:Job': (props) => props.spec?.template,
  'kubernetes:batch/v1:CronJob': (props) => props.spec?.jobTemplate?.spec?.template,
  'kubernetes:core/v1:Pod': (props) => ({ metadata: props.metadata, spec: props.spec }),
};

/** The pod template of a workload resource, or undefined for anything else. */
export function podTemplateOf(type: string, props: Props): Props | undefined {
  return podTemplateTypes[type]?.(props);
}

interface NamedContainer {
  kind: 'container' | 'initContainer';
  container: Props;
}

function containersOf(podSpec: Props | undefined): NamedContainer[] {
  return [
    ...((podSpec?.initContainers ?? []) as Props[]).map((container) => ({ kind: 'initContainer' as const, container })),
    ...((podSpec?.containers ?? []) as Props[]).map((container) => ({ kind: 'container' as const, container })),
  ];
}

/** What the validations read of ResourceValidationArgs (so tests can pass just that). */
export interface ResourceFacts {
  type: string;
  props: Props;
  opts: { additionalSecretOutputs?: readonly string[] };
}
type Validation = (args: ResourceFacts, report: ReportViolation) => void;

const externalServiceOnlyForGateway: Validation = ({ type, props }, report) => {
  if (type !== 'kubernetes:core/v1:Service') return;
  const serviceType = props.spec?.type ?? 'ClusterIP';
  if ((serviceType === 'LoadBalancer' || serviceType === 'NodePort') && props.metadata?.name !== gatewayServiceName) {
    report(
      `Service ${props.metadata?.name ?? '(unnamed)'} is ${serviceType}: only ${gatewayServiceName} may be reachable from outside the cluster.`,
    );
  }
};

const containerResourcesAndProbes: Validation = ({ type, props }, report) => {
  const template = podTemplateOf(type, props);
  if (!template) return;
  for (const { kind, container } of containersOf(template.spec)) {
    const where = `${kind} ${container.name}`;
    for (const bound of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory'] as const) {
        if (container.resources?.[bound]?.[resource] === undefined) report(`${where} has no ${resource} ${bound}.`);
      }
    }
    if (kind === 'container') {
      if (!container.livenessProbe) report(`${where} has no livenessProbe.`);
      if (!container.readinessProbe) report(`${where} has no readinessProbe.`);
    }
  }
};

const containerSecurityContext: Validation = ({ type, props }, report) => {
  const template = podTemplateOf(type, props);
  if (!template) return;
  const podContext = template.spec?.securityContext ?? {};
  for (const { kind, container } of containersOf(template.spec)) {
    const where = `${kind} ${container.name}`;
    const context = container.securityContext ?? {};
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) report(`${where} does not set runAsNonRoot: true.`);
    if (context.readOnlyRootFilesystem !== true) report(`${where} does not set readOnlyRootFilesystem: true.`);
    if (context.allowPrivilegeEscalation !== false) report(`${where} does not set allowPrivilegeEscalation: false.`);
    const dropped: string[] = context.capabilities?.drop ?? [];
    if (!dropped.includes('ALL')) report(`${where} does not drop ALL capabilities.`);
    if ((context.capabilities?.add ?? []).length > 0) report(`${where} adds capabilities.`);
  }
};

/** The grace period Kubernetes gives a pod that does not set one. */
const defaultGracePeriodSeconds = 30;

/**
 * Endpoint removal races SIGTERM, and the platform's apps stop accepting connections at SIGTERM: a
 * Deployment's containers wait in a preStop hook first, and a preStop sleep must end well within the
 * grace period (counted from the start of preStop), else SIGKILL comes before any graceful stop.
 */
const deploymentsDrain: Validation = ({ type, props }, report) => {
  if (type !== 'kubernetes:apps/v1:Deployment') return;
  const spec = props.spec?.template?.spec;
  const grace: number = spec?.terminationGracePeriodSeconds ?? defaultGracePeriodSeconds;
  for (const container of (spec?.containers ?? []) as Props[]) {
    const preStop = container.lifecycle?.preStop;
    if (!preStop) {
      report(`container ${container.name} has no preStop hook: it is sent SIGTERM while still receiving traffic.`);
      continue;
    }
    const sleep = preStop.sleep?.seconds;
    if (typeof sleep === 'number' && sleep >= grace) {
      report(
        `container ${container.name} sleeps ${sleep} s in preStop, not less than the pod's grace period of ${grace} s: it is killed without a graceful stop.`,
      );
    }
  }
};

/** True when an image reference names a tag other than `latest`, or a digest. */
export function isPinnedImage(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon > 0 && lastSegment.slice(colon + 1) !== 'latest';
}

const pinnedImages: Validation = ({ type, props }, report) => {
  const template = podTemplateOf(type, props);
  if (!template) return;
  for (const { kind, container } of containersOf(template.spec)) {
    if (typeof container.image !== 'string' || !isPinnedImage(container.image)) {
      report(
        `${kind} ${container.name} runs image ${JSON.stringify(container.image)}: use an explicit tag other than latest, or a digest.`,
      );
    }
  }
};

/** Env var names that carry credentials: their values must come from a Secret, never inline. */
export const credentialEnvName = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|DATABASE_URL)$/i;

/**
 * @pulumi/policy hands validations the properties with secrets already unwrapped, so a policy cannot
 * tell a secret value from plaintext. What it can check: every Secret marks `data` and `stringData`
 * as secret outputs (encrypted in the state whatever their origin; the TypeScript SDK adds this
 * itself, YAML or other SDKs may not), and no container takes a credential-named variable as an
 * inline value instead of from a Secret. (The program's tests also check that the Secrets' values
 * are Pulumi secrets when registered.)
 */
const secretsStayInSecrets: Validation = ({ type, props, opts }, report) => {
  if (type === 'kubernetes:core/v1:Secret') {
    const declared = opts.additionalSecretOutputs ?? [];
    for (const field of ['data', 'stringData']) {
      if (!declared.includes(field))
        report(`Secret does not list "${field}" in additionalSecretOutputs: its values could be stored in plaintext.`);
    }
    return;
  }
  const template = podTemplateOf(type, props);
  if (!template) return;
  for (const { kind, container } of containersOf(template.spec)) {
    for (const variable of (container.env ?? []) as Props[]) {
      if (credentialEnvName.test(variable.name) && variable.value !== undefined) {
        report(
          `${kind} ${container.name} sets ${variable.name} inline: take it from a Secret (valueFrom.secretKeyRef).`,
        );
      }
    }
  }
};

function matchesSelector(selector: Props | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const matchLabels: Record<string, string> = selector.matchLabels ?? {};
  const labelsMatch = Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
  const expressionsMatch = ((selector.matchExpressions ?? []) as Props[]).every((expression) => {
    const value = labels[expression.key];
    const values: string[] = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
  return labelsMatch && expressionsMatch;
}

export type StackResource = Pick<PolicyResource, 'type' | 'props' | 'urn'>;

/** Every workload's pods are selected by an ingress NetworkPolicy in the same namespace. */
export function uncoveredWorkloads(resources: readonly StackResource[]): StackResource[] {
  const ingressPolicies = resources.filter(
    (resource) =>
      resource.type === 'kubernetes:networking.k8s.io/v1:NetworkPolicy' &&
      ((resource.props.spec?.policyTypes as string[] | undefined) ?? ['Ingress']).includes('Ingress'),
  );
  return resources.filter((resource) => {
    const template = podTemplateOf(resource.type, resource.props);
    if (!template) return false;
    const namespace = resource.props.metadata?.namespace;
    const labels: Record<string, string> = template.metadata?.labels ?? {};
    return !ingressPolicies.some(
      (policy) =>
        policy.props.metadata?.namespace === namespace && matchesSelector(policy.props.spec?.podSelector, labels),
    );
  });
}

const workloadsCoveredByNetworkPolicy = (
  args: { resources: readonly StackResource[] },
  report: ReportViolation,
): void => {
  for (const workload of uncoveredWorkloads(args.resources)) {
    report(
      `${workload.props.metadata?.name ?? workload.urn}: no NetworkPolicy in its namespace selects its pods.`,
      workload.urn,
    );
  }
};

export const resourcePolicies: (ResourceValidationPolicy & { validateResource: Validation })[] = [
  {
    name: 'only-gateway-exposed',
    description: `Only the ${gatewayServiceName} Service may be of type LoadBalancer or NodePort.`,
    validateResource: externalServiceOnlyForGateway,
  },
  {
    name: 'containers-have-resources-and-probes',
    description:
      'Every container sets CPU/memory requests and limits; every main container has liveness and readiness probes.',
    validateResource: containerResourcesAndProbes,
  },
  {
    name: 'containers-are-restricted',
    description:
      'Every container runs as non-root with a read-only root filesystem, no privilege escalation and ALL capabilities dropped.',
    validateResource: containerSecurityContext,
  },
  {
    name: 'deployments-drain-gracefully',
    description:
      "Every Deployment's containers have a preStop hook, and a preStop sleep ends within the pod's grace period.",
    validateResource: deploymentsDrain,
  },
  {
    name: 'images-are-pinned',
    description: 'No container image is untagged or tagged latest.',
    validateResource: pinnedImages,
  },
  {
    name: 'secrets-stay-secret',
    description: 'Secrets mark data/stringData as secret outputs; credential env vars come from Secrets, never inline.',
    validateResource: secretsStayInSecrets,
  },
];

export const stackPolicies: (StackValidationPolicy & { validateStack: typeof workloadsCoveredByNetworkPolicy })[] = [
  {
    name: 'workloads-covered-by-network-policy',
    description: "Every workload's pods are selected by an ingress NetworkPolicy in their namespace.",
    validateStack: workloadsCoveredByNetworkPolicy,
  },
];

export const policies = [...resourcePolicies, ...stackPolicies];

/**
 * Stack config validation: the pure parseStackConfig (what the e2e harness calls too), and the
 * program refusing invalid config with one error naming the key, before registering anything.
 */
import assert from 'node:assert/strict';
import * as pulumi from '@pulumi/pulumi';
import { ConfigError, parseStackConfig } from '../../stacks/config';
import { targetDefaults, targetNames } from '../../stacks/targets';
import { StackConfigInput, cloneInput, runInvalidProgram, runProgram, setPath, stackFileConfig } from './harness';

const stacks = ['dev', 'minikube', 'k3s', 'aks', 'eks', 'gke'] as const;
const targetOfStack = {
  dev: 'docker-desktop',
  minikube: 'minikube',
  k3s: 'k3s',
  aks: 'aks',
  eks: 'eks',
  gke: 'gke',
} as const;

function parse(input: StackConfigInput, dryRun = false) {
  return parseStackConfig(input.config, { secretKeys: input.secretKeys, dryRun });
}

describe('stack config: valid stack files', () => {
  for (const stack of stacks) {
    it(`Pulumi.${stack}.yaml resolves to the ${targetOfStack[stack]} defaults of the per-target table`, () => {
      const result = parse(stackFileConfig(stack));
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      const { config } = result;
      const defaults = targetDefaults[targetOfStack[stack]];
      assert.equal(config.target, targetOfStack[stack]);
      assert.equal(config.images.push, defaults.pushImages);
      assert.equal(config.images.platform, defaults.platform);
      assert.equal(config.gateway.port, defaults.gatewayPort);
      assert.deepEqual(config.sizes, defaults.sizes);
      assert.deepEqual(config.replicas, { books: 2, booksReact: 2, gateway: 2 });
      assert.equal(config.namespace, 'books');
      assert.equal(config.database.kind, 'in-cluster');
    });
  }

  it('k3s with Traefik disabled (gateway.traefikDisabled) defaults to ports 80 and 443', () => {
    const input = stackFileConfig('k3s');
    setPath(input, 'gateway.traefikDisabled', true);
    setPath(input, 'gateway.tlsSecret', 'books-tls');
    const result = parse(input);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.deepEqual([result.config.gateway.port, result.config.gateway.tlsPort], [80, 443]);
  });

  it('names a StorageClass per target, and keeps the database on destroy outside laptops', () => {
    for (const stack of stacks) {
      const result = parse(stackFileConfig(stack));
      assert.ok(result.ok && result.config.database.kind === 'in-cluster');
      const defaults = targetDefaults[targetOfStack[stack]];
      assert.equal(result.config.database.storageClass, defaults.storageClass);
      assert.equal(result.config.database.retain, defaults.retainDatabase);
    }
    assert.deepEqual(Object.fromEntries(targetNames.map((target) => [target, targetDefaults[target].retainDatabase])), {
      'docker-desktop': false,
      minikube: false,
      k3s: true,
      aks: true,
      eks: true,
      gke: true,
    });
  });

  it('the table has a row for every target', () => {
    assert.deepEqual(Object.keys(targetDefaults).sort(), [...targetNames].sort());
  });

  it('reads numbers and booleans given as top-level strings or typed --path values', () => {
    const input = stackFileConfig('minikube');
    setPath(input, 'replicas', JSON.stringify({ books: '3', booksReact: 4 }));
    setPath(input, 'gateway.tunnel', 'true');
    const result = parse(input);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.deepEqual(result.config.replicas, { books: 3, booksReact: 4, gateway: 2 });
    assert.equal(
      result.config.gateway.serviceType,
      'LoadBalancer',
      "a declared tunnel makes minikube's gateway a LoadBalancer",
    );
  });

  it('reads a CPU quantity given as a bare number, as --path and YAML store "1" and "0.5"', () => {
    const input = stackFileConfig('k3s');
    setPath(input, 'resources.gateway', { cpuLimit: 2, cpuRequest: 0.5 });
    const result = parse(input);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.equal(result.config.sizes.gateway.cpuLimit, '2');
    assert.equal(result.config.sizes.gateway.cpuRequest, '0.5');
  });

  it('passes the base-image overrides as BASE_IMAGE / NODE_IMAGE build args', () => {
    const input = stackFileConfig('k3s');
    setPath(input, 'images', {
      baseImage: 'mirror.example/debian:bookworm-slim',
      nodeImage: 'mirror.example/node:24-bookworm-slim',
    });
    const result = parse(input);
    assert.ok(result.ok);
    assert.deepEqual(result.config.images.buildArgs, {
      BASE_IMAGE: 'mirror.example/debian:bookworm-slim',
      NODE_IMAGE: 'mirror.example/node:24-bookworm-slim',
    });
  });

  it('takes trusted proxy CIDRs (IPv4 and IPv6) for the gateway; none by default', () => {
    const plain = parse(stackFileConfig('aks'));
    assert.ok(plain.ok);
    assert.deepEqual(plain.config.gateway.trustedProxies, []);
    const input = stackFileConfig('aks');
    setPath(input, 'gateway.trustedProxies', ['10.224.0.0/16', '192.0.2.7/32', 'fd00:10::/64', '2001:db8::1/128']);
    const result = parse(input);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.deepEqual(result.config.gateway.trustedProxies, [
      '10.224.0.0/16',
      '192.0.2.7/32',
      'fd00:10::/64',
      '2001:db8::1/128',
    ]);
  });

  it('takes an external database URL instead of the in-cluster PostgreSQL', () => {
    const input = stackFileConfig('aks');
    setPath(input, 'database', { url: 'postgres://books:pw@db.example:5432/books?sslmode=require' }, { secret: true });
    const result = parse(input);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.equal(result.config.database.kind, 'external');
  });
});

describe('stack config: preview needs no registry credentials', () => {
  const withoutCredentials = () => {
    const input = stackFileConfig('eks');
    setPath(input, 'registry.credentialHelper', undefined);
    return input;
  };

  it('parses for preview, and is refused for an update with the command to fix it', () => {
    assert.ok(parse(withoutCredentials(), true).ok);
    const result = parse(withoutCredentials(), false);
    assert.ok(!result.ok);
    assert.match(result.error.message, /books-platform:registry\.password: required to push \(not for preview\)/);
    assert.match(result.error.message, /pulumi config set --secret --path registry\.password/);
  });

  it('runs the program in preview without credentials, without building on preview', async () => {
    const run = await runProgram(withoutCredentials(), { stack: 'eks', dryRun: true });
    const images = run.resources.filter((resource) => resource.type === 'docker:index/image:Image');
    assert.equal(images.length, 3);
    for (const image of images) {
      assert.notEqual(image.inputs.buildOnPreview, true);
      assert.equal(image.inputs.registry.password, undefined);
    }
  });

  it('sends username and password (as a secret) when given', async () => {
    const input = withoutCredentials();
    setPath(input, 'registry.username', 'AWS');
    setPath(input, 'registry.password', 'ecr-token-from-get-login-password', { secret: true });
    const run = await runProgram(input, { stack: 'eks' });
    const image = run.resources.find((resource) => resource.type === 'docker:index/image:Image')!;
    assert.equal(image.inputs.registry.username, 'AWS');
    assert.equal(image.inputs.registry.password, 'ecr-token-from-get-login-password');
    assert.ok(
      JSON.stringify(image.rawInputs.registry).includes('1b47061264138c4ac30d75fd1eb44270'),
      'password is a Pulumi secret',
    );
  });
});

interface InvalidCase {
  title: string;
  stack: (typeof stacks)[number];
  change: (input: StackConfigInput) => void;
  key: string;
  /** Part of the message that says what is allowed. */
  says?: RegExp;
}

const invalidCases: InvalidCase[] = [
  {
    title: 'no target',
    stack: 'dev',
    change: (i) => setPath(i, 'target', undefined),
    key: 'target',
    says: /required; one of docker-desktop, minikube, k3s, aks, eks, gke/,
  },
  {
    title: 'an unknown target',
    stack: 'dev',
    change: (i) => setPath(i, 'target', 'openshift'),
    key: 'target',
    says: /"openshift" is not a target; one of docker-desktop/,
  },
  {
    title: 'a namespace that is not a DNS label',
    stack: 'dev',
    change: (i) => setPath(i, 'namespace', 'Books_NS'),
    key: 'namespace',
    says: /DNS label/,
  },
  {
    title: 'a misspelt top-level key',
    stack: 'dev',
    change: (i) => setPath(i, 'replica', { books: 3 }),
    key: 'replica',
    says: /unknown key/,
  },
  {
    title: 'a misspelt nested key',
    stack: 'aks',
    change: (i) => setPath(i, 'registry.sever', 'x.example'),
    key: 'registry.sever',
    says: /unknown key/,
  },
  {
    title: 'a cloud target without a kube context',
    stack: 'aks',
    change: (i) => setPath(i, 'kubernetes', undefined),
    key: 'kubernetes.context',
    says: /az aks get-credentials/,
  },
  {
    title: 'a pushing target without a registry',
    stack: 'gke',
    change: (i) => setPath(i, 'registry.server', undefined),
    key: 'registry.server',
    says: /required for target gke/,
  },
  {
    title: 'a registry given as a URL',
    stack: 'aks',
    change: (i) => setPath(i, 'registry.server', 'https://registry.example.com'),
    key: 'registry.server',
    says: /without scheme/,
  },
  {
    title: 'a registry user without password',
    stack: 'aks',
    change: (i) => setPath(i, 'registry.username', 'ci'),
    key: 'registry.password',
    says: /go together/,
  },
  {
    title: 'no credentials nor helper for an update',
    stack: 'eks',
    change: (i) => setPath(i, 'registry.credentialHelper', undefined),
    key: 'registry.password',
    says: /credentialHelper true/,
  },
  {
    title: 'a registry on a target that does not push',
    stack: 'dev',
    change: (i) => setPath(i, 'registry.server', 'registry.example.com'),
    key: 'registry.server',
    says: /does not push/,
  },
  {
    title: 'an unknown platform',
    stack: 'k3s',
    change: (i) => setPath(i, 'platform', 'windows/amd64'),
    key: 'platform',
    says: /linux\/arm64/,
  },
  {
    title: 'zero replicas',
    stack: 'dev',
    change: (i) => setPath(i, 'replicas.books', 0),
    key: 'replicas.books',
    says: /integer from 1 to 50/,
  },
  {
    title: 'replicas that are not a number',
    stack: 'dev',
    change: (i) => setPath(i, 'replicas.gateway', 'two'),
    key: 'replicas.gateway',
    says: /integer/,
  },
  {
    title: 'an unknown Service type',
    stack: 'dev',
    change: (i) => setPath(i, 'gateway.serviceType', 'Ingress'),
    key: 'gateway.serviceType',
    says: /LoadBalancer/,
  },
  {
    title: 'a LoadBalancer on minikube without a tunnel',
    stack: 'minikube',
    change: (i) => setPath(i, 'gateway.serviceType', 'LoadBalancer'),
    key: 'gateway.serviceType',
    says: /minikube tunnel/,
  },
  {
    title: 'port 80 on k3s, held by Traefik',
    stack: 'k3s',
    change: (i) => setPath(i, 'gateway.port', 80),
    key: 'gateway.port',
    says: /Traefik/,
  },
  {
    title: 'a node port outside the NodePort range',
    stack: 'minikube',
    change: (i) => setPath(i, 'gateway.nodePort', 8080),
    key: 'gateway.nodePort',
    says: /30000 to 32767/,
  },
  {
    title: 'a tunnel on a cloud target',
    stack: 'aks',
    change: (i) => setPath(i, 'gateway.tunnel', true),
    key: 'gateway.tunnel',
    says: /only applies to target minikube/,
  },
  {
    title: 'no JWT key at all',
    stack: 'dev',
    change: (i) => setPath(i, 'gateway.jwt.hs256Key', undefined),
    key: 'gateway.jwt.hs256Key',
    says: /pulumi config set --secret --path gateway\.jwt\.hs256Key/,
  },
  {
    title: 'a short HS256 key',
    stack: 'dev',
    change: (i) => setPath(i, 'gateway.jwt.hs256Key', 'short', { secret: true }),
    key: 'gateway.jwt.hs256Key',
    says: /at least 32/,
  },
  {
    title: 'an RS256 key that is not a PEM public key',
    stack: 'dev',
    change: (i) => setPath(i, 'gateway.jwt.rs256PublicKey', 'ssh-rsa AAAA'),
    key: 'gateway.jwt.rs256PublicKey',
    says: /BEGIN PUBLIC KEY/,
  },
  {
    title: 'an in-cluster database without password',
    stack: 'dev',
    change: (i) => setPath(i, 'database.password', undefined),
    key: 'database.password',
    says: /openssl rand/,
  },
  {
    title: 'both an external URL and a password',
    stack: 'dev',
    change: (i) => setPath(i, 'database.url', 'postgres://db.example/books', { secret: true }),
    key: 'database.password',
    says: /only applies to the in-cluster database/,
  },
  {
    title: 'a database URL of another engine',
    stack: 'dev',
    change: (i) => setPath(i, 'database', { url: 'mysql://db.example/books' }, { secret: true }),
    key: 'database.url',
    says: /postgres:\/\//,
  },
  {
    title: 'postgres:latest',
    stack: 'dev',
    change: (i) => setPath(i, 'database.image', 'postgres:latest'),
    key: 'database.image',
    says: /latest/,
  },
  {
    title: 'an untagged postgres image',
    stack: 'dev',
    change: (i) => setPath(i, 'database.image', 'postgres'),
    key: 'database.image',
    says: /explicit tag/,
  },
  {
    title: 'an untagged base image',
    stack: 'k3s',
    change: (i) => setPath(i, 'images.baseImage', 'debian'),
    key: 'images.baseImage',
    says: /explicit tag/,
  },
  {
    title: 'a CPU request above its limit',
    stack: 'dev',
    change: (i) => setPath(i, 'resources.books', { cpuRequest: '2', cpuLimit: '500m' }),
    key: 'resources.books.cpuRequest',
    says: /exceeds the CPU limit/,
  },
  {
    title: 'a negative CPU limit given as a number',
    stack: 'dev',
    change: (i) => setPath(i, 'resources.books.cpuLimit', -1),
    key: 'resources.books.cpuLimit',
    says: /CPU quantity such as 250m or 1/,
  },
  {
    title: 'a memory quantity in MB',
    stack: 'dev',
    change: (i) => setPath(i, 'resources.gateway.memoryLimit', '128MB'),
    key: 'resources.gateway.memoryLimit',
    says: /128Mi/,
  },
  {
    title: 'an issuer with a quote, unsafe in nginx.conf',
    stack: 'dev',
    change: (i) => setPath(i, 'gateway.jwt.issuer', 'books"; evil'),
    key: 'gateway.jwt.issuer',
    says: /letters, digits/,
  },
  {
    title: 'a database password set without --secret',
    stack: 'dev',
    change: (i) => {
      i.secretKeys = i.secretKeys.filter((key) => key !== 'books-platform:database');
    },
    key: 'database.password',
    says: /pulumi config set --secret --path database\.password/,
  },
  {
    title: 'inline kubeconfig content',
    stack: 'k3s',
    change: (i) => setPath(i, 'kubernetes.kubeconfig', 'apiVersion: v1\nclusters: []'),
    key: 'kubernetes.kubeconfig',
    says: /file path/,
  },
  {
    title: 'a Docker host without scheme',
    stack: 'minikube',
    change: (i) => setPath(i, 'docker.host', '192.168.49.2:2376'),
    key: 'docker.host',
    says: /tcp:\/\//,
  },
  {
    title: 'deleteUnreachable on a cloud stack',
    stack: 'eks',
    change: (i) => setPath(i, 'kubernetes.deleteUnreachable', true),
    key: 'kubernetes.deleteUnreachable',
    says: /only for laptop clusters/,
  },
  {
    title: 'a Docker CLI context, which the image builds would ignore',
    stack: 'minikube',
    change: (i) => setPath(i, 'docker.context', 'minikube'),
    key: 'docker.context',
    says: /unknown key/,
  },
  {
    title: 'HTTPS on k3s port 443 while Traefik holds it',
    stack: 'k3s',
    change: (i) => {
      setPath(i, 'gateway.tlsSecret', 'books-tls');
      setPath(i, 'gateway.tlsPort', 443);
    },
    key: 'gateway.tlsPort',
    says: /--disable=traefik and set gateway\.traefikDisabled: true/,
  },
  {
    title: 'traefikDisabled on a target without Traefik',
    stack: 'gke',
    change: (i) => setPath(i, 'gateway.traefikDisabled', true),
    key: 'gateway.traefikDisabled',
    says: /only applies to target k3s/,
  },
  {
    title: 'the HTTPS port equal to the HTTP port',
    stack: 'aks',
    change: (i) => {
      setPath(i, 'gateway.tlsSecret', 'books-tls');
      setPath(i, 'gateway.tlsPort', 80);
    },
    key: 'gateway.tlsPort',
    says: /must differ from gateway\.port/,
  },
  {
    title: 'database.retain with an external database',
    stack: 'eks',
    change: (i) => setPath(i, 'database', { url: 'postgres://books@db.example:5432/books', retain: false }),
    key: 'database.retain',
    says: /only applies to the in-cluster database/,
  },
  {
    title: 'a TLS Secret name that is not a Kubernetes name',
    stack: 'aks',
    change: (i) => setPath(i, 'gateway.tlsSecret', 'My_TLS'),
    key: 'gateway.tlsSecret',
    says: /object name/,
  },
  {
    title: 'a trusted proxy given as an address without prefix length',
    stack: 'aks',
    change: (i) => setPath(i, 'gateway.trustedProxies', ['10.0.0.0/8', '10.1.2.3']),
    key: 'gateway.trustedProxies[1]',
    says: /"10\.1\.2\.3" is not a CIDR; expected an IPv4 or IPv6 CIDR such as 10\.0\.0\.0\/8 or fd00::\/8/,
  },
  {
    title: 'a trusted proxy with an IPv4 prefix above 32',
    stack: 'aks',
    change: (i) => setPath(i, 'gateway.trustedProxies', ['10.0.0.0/33']),
    key: 'gateway.trustedProxies[0]',
    says: /is not a CIDR/,
  },
  {
    title: 'a trusted proxy that is a host name',
    stack: 'aks',
    change: (i) => setPath(i, 'gateway.trustedProxies', ['lb.example.com/32']),
    key: 'gateway.trustedProxies[0]',
    says: /is not a CIDR/,
  },
  {
    title: 'a trusted proxy in dotted IPv4-in-IPv6 form, which the gateway cannot take',
    stack: 'aks',
    change: (i) => setPath(i, 'gateway.trustedProxies', ['::ffff:10.0.0.0/104']),
    key: 'gateway.trustedProxies[0]',
    says: /hex groups/,
  },
  {
    title: 'trusting every IPv6 address (::/0)',
    stack: 'aks',
    change: (i) => setPath(i, 'gateway.trustedProxies', ['::/0']),
    key: 'gateway.trustedProxies[0]',
    says: /any client could set its own address/,
  },
  {
    title: 'trusted proxies given as one string instead of a list',
    stack: 'aks',
    change: (i) => setPath(i, 'gateway.trustedProxies', '10.0.0.0/8'),
    key: 'gateway.trustedProxies',
    says: /expected a list of CIDRs: `pulumi config set --path 'gateway\.trustedProxies\[0\]'/,
  },
  {
    title: 'a section given as a plain value',
    stack: 'aks',
    change: (i) => setPath(i, 'registry', 'registry.example.com'),
    key: 'registry',
    says: /expected an object/,
  },
];

describe(`stack config: ${invalidCases.length} invalid configs, each one error naming the key and nothing registered`, () => {
  for (const invalid of invalidCases) {
    it(`${invalid.title} → books-platform:${invalid.key}`, async () => {
      const input = cloneInput(stackFileConfig(invalid.stack));
      invalid.change(input);

      const result = parse(input);
      assert.ok(!result.ok, 'parseStackConfig accepted it');
      assert.ok(result.error instanceof ConfigError);
      const issue = result.error.issues.find((candidate) => candidate.key === `books-platform:${invalid.key}`);
      assert.ok(issue, `no issue for books-platform:${invalid.key} in:\n${result.error.message}`);
      if (invalid.says) assert.match(issue.message, invalid.says);

      const { error, registered } = await runInvalidProgram(input, invalid.stack);
      assert.ok(pulumi.RunError.isInstance(error), 'a RunError: Pulumi prints it without a stack trace');
      assert.match(error.message, /^Invalid stack configuration/);
      assert.ok(error.message.includes(`books-platform:${invalid.key}: `), error.message);
      assert.equal(registered, 0, 'resources were registered despite invalid config');
    });
  }
});

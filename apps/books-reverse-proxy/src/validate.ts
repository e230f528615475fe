/**
 * Rejects options that would render a broken or unsafe nginx.conf, with a message naming the bad field.
 * Everything that ends up inside nginx.conf text is checked here, so no option value can inject directives.
 */
import type { GatewayRenderOptions } from './options';
import { jwtAlgorithms } from './options';
import { writeMethods, type Route } from './routes';

const routeName = /^[a-z][a-z0-9_]{0,31}$/;
const pathPrefix = /^\/$|^(\/[A-Za-z0-9._~-]+)+$/;
const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;
const dnsName = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;
const nginxSize = /^\d+[kKmM]?$/;
const cidr = /^[0-9.]+(\/\d{1,2})?$|^[0-9A-Fa-f:]+(\/\d{1,3})?$/;
const safeValue = /^[A-Za-z0-9 ._:/@+=-]+$/;
const absolutePath = /^(\/[A-Za-z0-9._-]+)+\/?$/;

export class GatewayOptionsError extends Error {
  override readonly name = 'GatewayOptionsError';
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new GatewayOptionsError(message);
}

const isPort = (port: number): boolean => Number.isInteger(port) && port > 0 && port < 65536;
const isPositive = (n: number): boolean => Number.isFinite(n) && n > 0;

export function validateOptions(o: GatewayRenderOptions): void {
  validateRoutes(o.routes);
  check(isPort(o.listenPort), `listenPort must be a TCP port, got ${o.listenPort}`);
  if (o.listenAddress !== undefined)
    check(cidr.test(o.listenAddress), `listenAddress is not an IP: ${o.listenAddress}`);
  validateBackends(o);
  const { jwt, limits, timeouts, upstream } = o;
  check(jwt.algorithms.length > 0, 'jwt.algorithms must allow at least one algorithm');
  for (const alg of jwt.algorithms) check(jwtAlgorithms.includes(alg), `jwt.algorithms: unsupported ${alg}`);
  for (const [field, value] of Object.entries({ issuer: jwt.issuer, audience: jwt.audience, realm: jwt.realm })) {
    check(safeValue.test(value), `jwt.${field} has characters outside [A-Za-z0-9 ._:/@+=-]: ${value}`);
  }
  for (const [field, value] of Object.entries({
    hs256KeyFile: jwt.hs256KeyFile,
    rs256PublicKeyFile: jwt.rs256PublicKeyFile,
  })) {
    check(absolutePath.test(value), `jwt.${field} must be an absolute path: ${value}`);
  }
  check(Number.isInteger(jwt.clockSkewSeconds) && jwt.clockSkewSeconds >= 0, 'jwt.clockSkewSeconds must be >= 0');
  check(
    isPositive(limits.requestsPerSecond) && Number.isInteger(limits.requestsPerSecond),
    'limits.requestsPerSecond must be a positive integer',
  );
  check(Number.isInteger(limits.burst) && limits.burst >= 0, 'limits.burst must be >= 0');
  check(
    Number.isInteger(limits.connectionsPerClient) && limits.connectionsPerClient > 0,
    'limits.connectionsPerClient must be > 0',
  );
  check(nginxSize.test(limits.maxBodySize), `limits.maxBodySize is not an nginx size: ${limits.maxBodySize}`);
  check(
    nginxSize.test(limits.maxHeaderLineSize),
    `limits.maxHeaderLineSize is not an nginx size: ${limits.maxHeaderLineSize}`,
  );
  check(Number.isInteger(limits.headerBuffers) && limits.headerBuffers >= 2, 'limits.headerBuffers must be >= 2');
  for (const [field, value] of Object.entries(timeouts)) check(isPositive(value), `timeouts.${field} must be > 0`);
  for (const cidrValue of o.trustedProxies) check(cidr.test(cidrValue), `trustedProxies: not a CIDR: ${cidrValue}`);
  check(
    Number.isInteger(upstream.keepaliveConnections) && upstream.keepaliveConnections > 0,
    'upstream.keepaliveConnections must be > 0',
  );
  check(isPositive(upstream.keepaliveTimeoutSeconds), 'upstream.keepaliveTimeoutSeconds must be > 0');
  check(isPositive(upstream.keepaliveTimeSeconds), 'upstream.keepaliveTimeSeconds must be > 0');
  check(
    Number.isInteger(upstream.keepaliveRequests) && upstream.keepaliveRequests > 0,
    'upstream.keepaliveRequests must be > 0',
  );
  check(Number.isInteger(upstream.retryTries) && upstream.retryTries >= 1, 'upstream.retryTries must be >= 1');
  check(isPositive(upstream.retryTimeoutSeconds), 'upstream.retryTimeoutSeconds must be > 0');
  check(Number.isInteger(upstream.maxFails) && upstream.maxFails >= 0, 'upstream.maxFails must be >= 0');
  check(isPositive(upstream.failTimeoutSeconds), 'upstream.failTimeoutSeconds must be > 0');
  if (o.tls) {
    check(isPort(o.tls.port) && o.tls.port !== o.listenPort, 'tls.port must be a TCP port other than listenPort');
    check(isPort(o.tls.redirectPort), 'tls.redirectPort must be a TCP port');
    check(
      absolutePath.test(o.tls.certificateFile),
      `tls.certificateFile must be an absolute path: ${o.tls.certificateFile}`,
    );
    check(absolutePath.test(o.tls.keyFile), `tls.keyFile must be an absolute path: ${o.tls.keyFile}`);
  }
  if (o.metrics) {
    check(isPort(o.metrics.port), 'metrics.port must be a TCP port');
    check(cidr.test(o.metrics.listenAddress), `metrics.listenAddress is not an IP: ${o.metrics.listenAddress}`);
  }
  if (o.accessLogBuffer) {
    check(
      nginxSize.test(o.accessLogBuffer.size),
      `accessLogBuffer.size is not an nginx size: ${o.accessLogBuffer.size}`,
    );
    check(
      Number.isInteger(o.accessLogBuffer.flushSeconds) && o.accessLogBuffer.flushSeconds > 0,
      'accessLogBuffer.flushSeconds must be a positive integer',
    );
  }
  for (const [field, value] of Object.entries(o.paths))
    check(absolutePath.test(value), `paths.${field} must be an absolute path: ${value}`);
  check(
    o.workerProcesses === 'auto' || (Number.isInteger(o.workerProcesses) && o.workerProcesses > 0),
    'workerProcesses must be "auto" or > 0',
  );
  check(Number.isInteger(o.workerConnections) && o.workerConnections >= 64, 'workerConnections must be >= 64');
  check(isPositive(o.workerShutdownTimeoutSeconds), 'workerShutdownTimeoutSeconds must be > 0');
}

function validateRoutes(routes: readonly Route[]): void {
  check(routes.length > 0, 'at least one route is required');
  const names = new Set<string>();
  const prefixes = new Set<string>();
  for (const route of routes) {
    check(routeName.test(route.name), `route name must match ${routeName.source}: ${route.name}`);
    check(!names.has(route.name), `duplicate route name: ${route.name}`);
    names.add(route.name);
    check(
      pathPrefix.test(route.pathPrefix),
      `route ${route.name}: pathPrefix must be "/" or "/a/b" without trailing slash: ${route.pathPrefix}`,
    );
    check(!prefixes.has(route.pathPrefix), `duplicate pathPrefix: ${route.pathPrefix}`);
    prefixes.add(route.pathPrefix);
    check(
      !`${route.pathPrefix}/`.startsWith('/_gateway/') && route.pathPrefix !== '/healthz',
      `route ${route.name}: ${route.pathPrefix} is reserved by the gateway`,
    );
    check(
      dnsName.test(route.backend.service),
      `route ${route.name}: backend.service is not a DNS label: ${route.backend.service}`,
    );
    check(isPort(route.backend.port), `route ${route.name}: backend.port must be a TCP port`);
    if (route.auth) {
      check(
        route.auth.methods.length > 0,
        `route ${route.name}: auth.methods is empty (use auth: null for a public route)`,
      );
      for (const method of route.auth.methods)
        check(writeMethods.includes(method), `route ${route.name}: cannot protect ${method}`);
      check(/^[A-Za-z0-9._:-]+$/.test(route.auth.scope), `route ${route.name}: auth.scope must be one scope token`);
    }
  }
}

function validateBackends(o: GatewayRenderOptions): void {
  const backends = o.backends;
  if (backends.kind === 'static') {
    for (const route of o.routes) {
      const addresses = backends.addresses[route.name] ?? [];
      check(addresses.length > 0, `backends.addresses.${route.name}: at least one host:port is required`);
      for (const address of addresses)
        check(hostPort.test(address), `backends.addresses.${route.name}: not host:port: ${address}`);
    }
    return;
  }
  check(dnsName.test(backends.namespace), `backends.namespace is not a DNS label: ${backends.namespace}`);
  check(dnsName.test(backends.clusterDomain), `backends.clusterDomain is not a DNS name: ${backends.clusterDomain}`);
  for (const [name, host] of Object.entries(backends.hosts ?? {}))
    check(dnsName.test(host), `backends.hosts.${name} is not a DNS name: ${host}`);
  if (backends.resolver !== undefined)
    check(hostPort.test(backends.resolver), `backends.resolver must be host:port: ${backends.resolver}`);
  check(isPositive(backends.refreshSeconds), 'backends.refreshSeconds must be > 0');
  check(
    Number.isInteger(backends.copiesPerAddress) && backends.copiesPerAddress >= 1,
    'backends.copiesPerAddress must be >= 1',
  );
}

// Load from the bench and the drills goes to this machine only, never anywhere else: its loopback, or the network
// namespace of the project's own local cluster (scripts/cluster), which sits behind a veth whose host end is named
// books-*. An address counts only while such an interface exists and the address is inside its subnet.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const PROJECT_INTERFACE = /^books-/;

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return undefined;
  return parts.reduce((value, part) => value * 256 + part, 0);
}

/** Whether `host` is an IPv4 address inside the subnet of one of this machine's books-* interfaces. */
export function inProjectNamespace(
  host: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): boolean {
  const target = ipv4ToNumber(host);
  if (target === undefined) return false;
  return Object.entries(interfaces).some(
    ([name, addresses]) =>
      PROJECT_INTERFACE.test(name) &&
      (addresses ?? []).some((entry) => {
        if (entry.family !== 'IPv4') return false;
        const address = ipv4ToNumber(entry.address);
        const mask = ipv4ToNumber(entry.netmask);
        // `>>> 0` keeps the bitwise results unsigned.
        return address !== undefined && mask !== undefined && (address & mask) >>> 0 === (target & mask) >>> 0;
      }),
  );
}

/** The URL, parsed; throws unless its host is a loopback name or address, or in the project's local cluster. */
export function assertLoopback(baseUrl: string): URL {
  const url = new URL(baseUrl);
  if (!LOOPBACK_HOSTS.has(url.hostname) && !inProjectNamespace(url.hostname)) {
    throw new Error(`load is only sent to loopback or the project's local cluster, not ${url.hostname}`);
  }
  return url;
}

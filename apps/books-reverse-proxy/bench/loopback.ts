// Load from the bench and the drills goes to this machine's loopback only, never anywhere else.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The URL, parsed; throws unless its host is a loopback name or address. */
export function assertLoopback(baseUrl: string): URL {
  const url = new URL(baseUrl);
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new Error(`load is only sent to loopback, not ${url.hostname}`);
  return url;
}

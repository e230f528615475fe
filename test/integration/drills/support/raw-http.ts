// Raw TCP exchanges for requests that an HTTP client library refuses to send (malformed request lines,
// conflicting framing headers, byte-by-byte slow headers).
import net from 'node:net';
import { assertLoopback } from '../../../../apps/books-reverse-proxy/bench/loopback';

export interface RawAnswer {
  /** Status code of the first response, or undefined when the server closed without answering. */
  status?: number;
  /** The first bytes of the answer, for the printout. */
  head: string;
  /** The server closed the connection (as opposed to our timeout ending the exchange). */
  closedByServer: boolean;
  /** The response's Content-Type, when it had one. */
  contentType?: string;
  /** Everything received (for answers without a status line: HTTP/0.9's bare body). */
  text: string;
}

/** Sends `payload` on a fresh connection and reads until the server closes or the timeout passes. */
export function rawExchange(baseUrl: string, payload: Buffer, timeoutMs = 3_000): Promise<RawAnswer> {
  const url = assertLoopback(baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let closedByServer = false;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const headerEnd = text.indexOf('\r\n\r\n');
      const contentType = /\r\ncontent-type:\s*([^\r]*)/i.exec(text.slice(0, Math.max(headerEnd, 0)))?.[1];
      resolve({
        status: match ? Number(match[1]) : undefined,
        head: text.slice(0, 120),
        closedByServer,
        ...(contentType === undefined ? {} : { contentType }),
        text,
      });
    };
    // Enough to read a complete error response; a server that keeps the connection open is then cut by us.
    const timer = setTimeout(finish, timeoutMs);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (responseComplete(Buffer.concat(chunks).toString('latin1'))) finish();
    });
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('error', () => {
      closedByServer = true;
      finish();
    });
  });
}

/** True once a response with a Content-Length body (or none) has fully arrived. */
function responseComplete(text: string): boolean {
  const headerEnd = text.indexOf('\r\n\r\n');
  if (headerEnd < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, headerEnd));
  return length !== null && text.length >= headerEnd + 4 + Number(length[1]);
}

export interface SlowClient {
  /** Milliseconds from connect until the server closed the socket; undefined while it is still open. */
  closedAfterMs?: number;
  /** Status of a response the server sent before closing, if any (nginx closes header timeouts silently). */
  status?: number;
  bytesSent: number;
  destroy(): void;
}

/**
 * Opens a connection that sends a request header one byte every `byteIntervalMs` and never finishes it
 * (the header is long enough to outlast any sane client_header_timeout).
 */
export function openSlowClient(baseUrl: string, byteIntervalMs: number): SlowClient {
  const url = assertLoopback(baseUrl);
  const header = `GET / HTTP/1.1\r\nHost: ${url.host}\r\nX-Slow: ${'a'.repeat(4096)}`;
  const socket = net.connect(Number(url.port), url.hostname);
  const opened = performance.now();
  const received: Buffer[] = [];
  const client: SlowClient = {
    bytesSent: 0,
    destroy: () => {
      clearInterval(ticker);
      socket.destroy();
    },
  };
  const ticker = setInterval(() => {
    if (client.bytesSent < header.length && socket.writable) socket.write(header[client.bytesSent++]);
  }, byteIntervalMs);
  const closed = (): void => {
    if (client.closedAfterMs !== undefined) return;
    clearInterval(ticker);
    client.closedAfterMs = performance.now() - opened;
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(received).toString('latin1'));
    if (match) client.status = Number(match[1]);
  };
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('end', closed);
  socket.on('close', closed);
  socket.on('error', closed);
  return client;
}

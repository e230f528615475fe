/**
 * A tiny authoritative DNS server on 127.0.0.1 (node:dgram) whose A records the test changes at will: enough
 * for gatewayd's resolver (A/AAAA queries, NXDOMAIN for unknown names, TTL 0).
 */
import { createSocket, type Socket } from 'node:dgram';

export interface TestDns {
  readonly address: string;
  /** Name (without trailing dot, case-insensitive) → IPv4 addresses; delete to make it NXDOMAIN. */
  readonly records: Map<string, string[]>;
  /** Stops answering (idempotent). */
  close(): Promise<void>;
}

function questionName(message: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let offset = 12;
  while (message[offset]! > 0) {
    const length = message[offset]!;
    labels.push(message.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += length + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: offset + 1 };
}

function answer(query: Buffer, records: Map<string, string[]>): Buffer {
  const { name, end } = questionName(query);
  const type = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const known = records.get(name);
  const addresses = known && type === 1 ? known : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | (known ? 0 : 3), 2); // QR AA RD, NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((ip) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // pointer to the question name
    record.writeUInt16BE(1, 2); // A
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(0, 6); // TTL
    record.writeUInt16BE(4, 10);
    ip.split('.').forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
    return record;
  });
  return Buffer.concat([header, question, ...answers]);
}

export async function startTestDns(): Promise<TestDns> {
  const records = new Map<string, string[]>();
  const socket: Socket = createSocket('udp4');
  let closed: Promise<void> | undefined;
  socket.on('message', (query, peer) => {
    try {
      socket.send(answer(query, records), peer.port, peer.address);
    } catch {
      // a malformed query gets no answer, like a real server under garbage
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    records,
    close: () => {
      closed ??= new Promise<void>((resolve) => socket.close(() => resolve()));
      return closed;
    },
  };
}

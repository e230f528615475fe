/** Test keys written as the gateway reads them: HS256 raw bytes, RS256 SPKI PEM (+ the private PEM for minting). */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestKeys {
  readonly hs256: Buffer;
  readonly hs256File: string;
  readonly rsaPrivatePem: string;
  readonly rsaPrivateFile: string;
  readonly rsaPublicPem: string;
  readonly rsaPublicFile: string;
}

export function writeTestKeys(dir: string): TestKeys {
  mkdirSync(dir, { recursive: true });
  const hs256 = randomBytes(32);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaPrivatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const rsaPublicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keys = {
    hs256,
    hs256File: join(dir, 'hs256.key'),
    rsaPrivatePem,
    rsaPrivateFile: join(dir, 'rs256.pem'),
    rsaPublicPem,
    rsaPublicFile: join(dir, 'rs256.pub.pem'),
  };
  writeFileSync(keys.hs256File, hs256);
  writeFileSync(keys.rsaPrivateFile, rsaPrivatePem);
  writeFileSync(keys.rsaPublicFile, rsaPublicPem);
  return keys;
}

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The gateway's JWT key files, named as in the Secret `books-reverse-proxy-jwt` (docs/contracts.md). */
export interface JwtKeyFiles {
  dir: string;
  /** The HS256 secret's raw bytes. */
  hs256Key: string;
  /** PKCS#8 PEM private key, for minting RS256 tokens (never given to the gateway). */
  rs256PrivateKey: string;
  /** SPKI PEM public key the gateway verifies RS256 tokens with. */
  rs256PublicKey: string;
}

/** The key files' paths in `dir` (whether or not they exist yet). */
export function jwtKeyFiles(dir: string): JwtKeyFiles {
  return {
    dir,
    hs256Key: join(dir, 'hs256.key'),
    rs256PrivateKey: join(dir, 'rs256.key.pem'),
    rs256PublicKey: join(dir, 'rs256.pub.pem'),
  };
}

/** Creates the keys once; later runs reuse them so tokens minted earlier stay valid across restarts. */
export function ensureJwtKeys(dir: string): JwtKeyFiles {
  const files = jwtKeyFiles(dir);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(files.hs256Key)) writeFileSync(files.hs256Key, randomBytes(32), { mode: 0o600 });
  if (!existsSync(files.rs256PrivateKey) || !existsSync(files.rs256PublicKey)) {
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(files.rs256PrivateKey, pair.privateKey, { mode: 0o600 });
    writeFileSync(files.rs256PublicKey, pair.publicKey, { mode: 0o644 });
  }
  return files;
}

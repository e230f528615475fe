import { createHmac, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface MintOptions {
  sub: string;
  /** Space-separated scopes; omitted → no scope claim. */
  scope?: string;
  /** Lifetime; negative → already expired. Default 1 h. */
  ttlSeconds?: number;
  alg?: 'HS256' | 'RS256';
  /** Override the platform's issuer/audience (negative cases). */
  issuer?: string;
  audience?: string;
}

export interface MintKeys {
  issuer: string;
  audience: string;
  hs256KeyFile: string;
  rs256PrivateKeyFile: string;
}

// TEMPORARY until the gateway's minter lands (apps/books-reverse-proxy); replaced by a call to it.
export function mintToken(keys: MintKeys, options: MintOptions): string {
  const alg = options.alg ?? 'HS256';
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = {
    iss: options.issuer ?? keys.issuer,
    aud: options.audience ?? keys.audience,
    sub: options.sub,
    iat: now,
    exp: now + (options.ttlSeconds ?? 3600),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  };
  const signingInput = `${encode({ alg, typ: 'JWT' })}.${encode(payload)}`;
  const signature =
    alg === 'HS256'
      ? createHmac('sha256', readFileSync(keys.hs256KeyFile)).update(signingInput).digest()
      : createSign('RSA-SHA256').update(signingInput).sign(readFileSync(keys.rs256PrivateKeyFile));
  return `${signingInput}.${signature.toString('base64url')}`;
}

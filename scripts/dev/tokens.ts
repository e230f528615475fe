import { mintToken as mintGatewayToken } from '../../apps/books-reverse-proxy/src/token';

/** A token for this platform: the keys, issuer and audience default to the platform's own. */
export interface MintOptions {
  sub: string;
  /** Space-separated scopes; omitted → no scope claim. */
  scope?: string;
  /** Lifetime; negative → already expired. Default 1 h. */
  ttlSeconds?: number;
  /** Seconds from now before which the token is not valid; omitted → no nbf claim. */
  notBeforeSeconds?: number;
  alg?: 'HS256' | 'RS256';
  /** Override the platform's issuer/audience (negative cases). */
  issuer?: string;
  audience?: string;
}

export interface MintKeys {
  issuer: string;
  audience: string;
  /** The HS256 secret's bytes and the RS256 private key (PEM). */
  hs256Key: Uint8Array;
  rs256PrivateKeyPem: string;
}

/** Mints with the gateway's own minter (the one behind `npm run token`). */
export function mintToken(keys: MintKeys, options: MintOptions): Promise<string> {
  const alg = options.alg ?? 'HS256';
  return mintGatewayToken({
    alg,
    key: alg === 'HS256' ? keys.hs256Key : keys.rs256PrivateKeyPem,
    sub: options.sub,
    scope: options.scope,
    issuer: options.issuer ?? keys.issuer,
    audience: options.audience ?? keys.audience,
    ttlSeconds: options.ttlSeconds ?? 3600,
    notBeforeSeconds: options.notBeforeSeconds,
  });
}

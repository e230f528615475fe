/**
 * Mints gateway tokens (JWT) with the `jose` library: for operators (scripts/token.ts, `npm run token`) and for
 * tests. Claims follow docs/contracts.md: iss, aud, sub, exp, iat, optional nbf, space-separated scope.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JwtAlgorithm } from './options';

export interface MintOptions {
  readonly alg: JwtAlgorithm;
  /** HS256: the shared secret's bytes (exactly the key file's content). RS256: a PEM private key. */
  readonly key: Uint8Array | string;
  readonly sub: string;
  /** Space-separated scopes; omitted → no scope claim. */
  readonly scope?: string;
  readonly issuer: string;
  readonly audience: string | readonly string[];
  /** Lifetime from `now`; negative values mint already-expired tokens (tests). */
  readonly ttlSeconds: number;
  /** Seconds from `now` before which the token is not valid; omitted → no nbf claim. */
  readonly notBeforeSeconds?: number;
  /** Unix seconds used as "now" (tests); default the clock. */
  readonly now?: number;
}

function signingKey(alg: JwtAlgorithm, key: Uint8Array | string): Uint8Array | KeyObject {
  if (alg === 'HS256') return typeof key === 'string' ? Buffer.from(key) : key;
  return createPrivateKey(typeof key === 'string' ? key : Buffer.from(key));
}

export async function mintToken(options: MintOptions): Promise<string> {
  // jose is ESM-only; a dynamic import loads it from this CommonJS module.
  const { SignJWT } = await import('jose');
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, string> = options.scope === undefined ? {} : { scope: options.scope };
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg, typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuer(options.issuer)
    .setAudience(typeof options.audience === 'string' ? options.audience : [...options.audience])
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds);
  if (options.notBeforeSeconds !== undefined) jwt.setNotBefore(now + options.notBeforeSeconds);
  return jwt.sign(signingKey(options.alg, options.key));
}

const durationUnits: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90`, `90s`, `15m`, `1h`, `7d` → seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text);
  if (!match) throw new Error(`not a duration (e.g. 90s, 15m, 1h, 7d): ${text}`);
  return Number(match[1]) * (durationUnits[match[2] || 's'] ?? 1);
}

/** Reads a key file as the minter and the gateway both see it: raw bytes (HS256) or PEM text (RS256). */
export function readKeyFile(path: string): Uint8Array {
  return readFileSync(path);
}

// JWT bearer-token check for protected writes, run by nginx's njs 0.7.9 (`auth_request` → `js_content`).
// Written for njs 0.7.9: ES5 syntax plus async/await, no `await` inside call arguments (a syntax error there).
// Settings arrive as nginx variables ($gw_jwt_*, set by the rendered auth location) because njs globals do not
// persist across requests; keys are read from their files per request, so a rotated Secret applies immediately.
// Success: 204 + X-Gateway-User (→ X-Authenticated-User upstream). Failure: 401 (or 403 for a missing scope) +
// X-Gateway-Auth-Error (a fixed reason code, shown in the JSON error body) and a WWW-Authenticate challenge.

import fs from 'fs';

var BASE64URL = /^[A-Za-z0-9_-]+$/;
// `sub` becomes X-Authenticated-User upstream, whose contract (docs/contracts.md, apps/books/src/identity.ts) is
// 1-128 visible ASCII characters: a token whose subject breaks it is refused here, as a token problem.
var SAFE_SUBJECT = /^[\x21-\x7e]{1,128}$/;
var MAX_TOKEN_LENGTH = 8192;

var ALGORITHMS = {
  HS256: {
    keyVariable: 'gw_jwt_hs256_key_file',
    importKey: function (bytes) {
      return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    },
    verifyParams: 'HMAC',
  },
  RS256: {
    keyVariable: 'gw_jwt_rs256_key_file',
    importKey: function (bytes) {
      return crypto.subtle.importKey(
        'spki',
        pemToDer(bytes.toString()),
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        false,
        ['verify'],
      );
    },
    verifyParams: 'RSASSA-PKCS1-v1_5',
  },
};

function AuthError(status, reason, description) {
  this.status = status;
  this.reason = reason;
  this.description = description;
}

function reject(status, reason, description) {
  throw new AuthError(status, reason, description);
}

function pemToDer(pem) {
  var body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

function decodeJsonPart(part, what) {
  var value;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString());
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- njs 0.7.9 has no optional catch binding
  } catch (e) {
    reject(401, 'malformed_token', what + ' is not base64url JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    reject(401, 'malformed_token', what + ' is not a JSON object');
  }
  return value;
}

function bearerToken(r) {
  var header = r.headersIn.Authorization;
  if (!header) reject(401, 'missing_token', 'no bearer token');
  var match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header);
  if (!match) reject(401, 'malformed_token', 'Authorization is not a Bearer token');
  if (match[1].length > MAX_TOKEN_LENGTH) reject(401, 'malformed_token', 'token too long');
  return match[1];
}

function parseToken(token) {
  var parts = token.split('.');
  if (
    parts.length !== 3 ||
    !parts.every(function (p) {
      return BASE64URL.test(p);
    })
  ) {
    reject(401, 'malformed_token', 'not a signed JWT');
  }
  return {
    header: decodeJsonPart(parts[0], 'header'),
    claims: decodeJsonPart(parts[1], 'payload'),
    signingInput: parts[0] + '.' + parts[1],
    signature: Buffer.from(parts[2], 'base64url'),
  };
}

async function verifySignature(r, jwt) {
  var alg = jwt.header.alg;
  var allowed = r.variables.gw_jwt_algorithms.split(' ');
  if (typeof alg !== 'string' || allowed.indexOf(alg) < 0 || !Object.prototype.hasOwnProperty.call(ALGORITHMS, alg)) {
    reject(401, 'algorithm_not_allowed', 'algorithm not allowed');
  }
  if (jwt.header.crit !== undefined) reject(401, 'malformed_token', 'critical header extensions are not supported');
  var algorithm = ALGORITHMS[alg];
  var keyBytes;
  try {
    keyBytes = fs.readFileSync(r.variables[algorithm.keyVariable]);
  } catch (e) {
    r.error('gateway: cannot read the ' + alg + ' key: ' + e.message);
    reject(401, 'invalid_signature', 'signature cannot be verified');
  }
  var key;
  try {
    key = await algorithm.importKey(keyBytes);
  } catch (e) {
    r.error('gateway: unusable ' + alg + ' key: ' + e.message);
    reject(401, 'invalid_signature', 'signature cannot be verified');
  }
  var valid = await crypto.subtle.verify(algorithm.verifyParams, key, jwt.signature, Buffer.from(jwt.signingInput));
  if (!valid) reject(401, 'invalid_signature', 'bad signature');
}

function checkClaims(r, claims) {
  var now = Math.floor(Date.now() / 1000);
  var skew = Number(r.variables.gw_jwt_clock_skew);
  if (typeof claims.exp !== 'number') reject(401, 'invalid_claims', 'exp is required');
  if (now > claims.exp + skew) reject(401, 'token_expired', 'token expired');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now < claims.nbf - skew)) {
    reject(401, 'token_not_yet_valid', 'token not yet valid');
  }
  if (claims.iss !== r.variables.gw_jwt_issuer) reject(401, 'invalid_issuer', 'wrong issuer');
  var audience = r.variables.gw_jwt_audience;
  var aud = claims.aud;
  if (!(aud === audience || (Array.isArray(aud) && aud.indexOf(audience) >= 0))) {
    reject(401, 'invalid_audience', 'wrong audience');
  }
  if (typeof claims.sub !== 'string' || !SAFE_SUBJECT.test(claims.sub)) {
    reject(401, 'invalid_claims', 'sub must be 1-128 visible ASCII characters (no spaces)');
  }
  var scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (scopes.indexOf(r.variables.gw_jwt_scope) < 0) reject(403, 'insufficient_scope', 'scope required');
}

function challenge(r, error) {
  var code = error.status === 403 ? 'insufficient_scope' : 'invalid_token';
  var value = 'Bearer realm="' + r.variables.gw_jwt_realm + '"';
  if (error.reason !== 'missing_token')
    value += ', error="' + code + '", error_description="' + error.description + '"';
  if (error.status === 403) value += ', scope="' + r.variables.gw_jwt_scope + '"';
  return value;
}

async function authorize(r) {
  try {
    var jwt = parseToken(bearerToken(r));
    await verifySignature(r, jwt);
    checkClaims(r, jwt.claims);
    r.headersOut['X-Gateway-User'] = jwt.claims.sub;
    r.return(204);
  } catch (e) {
    if (!(e instanceof AuthError)) r.error('gateway: token check failed: ' + e);
    var failure = e instanceof AuthError ? e : new AuthError(401, 'invalid_token', 'token cannot be verified');
    r.headersOut['X-Gateway-Auth-Error'] = failure.reason;
    r.headersOut['WWW-Authenticate'] = challenge(r, failure);
    r.return(failure.status);
  }
}

export default { authorize: authorize };

// Bearer token validation: signature against the local identity endpoint's keys, issuer,
// audience (the challenge resource), expiry. Failures are 401 with the challenge attached.
import { createLocalJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JSONWebKeySet } from 'jose';
import { errors } from '../errors.js';
import { challengeHeaders, challengeResource, DEFAULT_RESOURCE } from './challenge.js';

export interface Principal {
  /** `oid` claim: the identity's object (principal) id. */
  objectId: string;
  /** `appid` claim: the identity's client id. */
  appId: string;
  tenantId: string;
  issuer: string;
}

export interface TokenVerifierOptions {
  tenantId: string;
  /** Public keys the identity endpoint signs with (JWKS). A function lets keys rotate. */
  jwks: JSONWebKeySet | (() => JSONWebKeySet);
  /** Accepted issuers; default `https://sts.windows.net/<tenant>/` and the v2 form. */
  issuers?: string[];
  /** Overrides the challenge resource for every host. */
  resource?: string;
  /** Seconds of clock skew tolerated on exp/nbf. */
  clockToleranceSeconds?: number;
}

export class TokenVerifier {
  private readonly options: TokenVerifierOptions;
  /** createLocalJWKSet imports keys lazily and caches them; rebuild only when the set changes. */
  private keySet: { source: JSONWebKeySet; keys: ReturnType<typeof createLocalJWKSet> } | undefined;
  /** Verified tokens (per accepted audience set) → principal, until they expire. Signature
   * checks dominate request cost and clients reuse one token for its whole lifetime. */
  private readonly verified = new Map<string, { principal: Principal; exp: number; nbf: number }>();
  private static readonly CACHE_MAX = 1000;

  constructor(options: TokenVerifierOptions) {
    this.options = options;
  }

  get tenantId(): string {
    return this.options.tenantId;
  }

  private currentJwks(): JSONWebKeySet {
    return typeof this.options.jwks === 'function' ? this.options.jwks() : this.options.jwks;
  }

  challenge(host: string): Record<string, string> {
    return challengeHeaders(host, this.options.tenantId, this.options.resource);
  }

  /** Audiences accepted for a request to `host`: its challenge resource (with or without a
   * trailing slash) and the real Key Vault resource. */
  audiences(host: string): string[] {
    const resource = challengeResource(host, this.options.resource);
    return [...new Set([resource, `${resource}/`, DEFAULT_RESOURCE, `${DEFAULT_RESOURCE}/`])];
  }

  /** Validates the Authorization header value; throws a 401 KeyVaultError. */
  async verify(authorization: string | undefined, host: string): Promise<Principal> {
    const challenge = this.challenge(host);
    if (!authorization) throw errors.missingToken(challenge);
    const match = /^(Bearer|PoP)\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw errors.missingToken(challenge);
    const token = match[2]!;
    const audiences = this.audiences(host);
    const cacheKey = `${audiences[0]}\u0000${token}`;
    const cached = this.verified.get(cacheKey);
    const tolerance = this.options.clockToleranceSeconds ?? 60;
    const now = Math.floor(Date.now() / 1000);
    if (cached && cached.exp + tolerance > now && cached.nbf - tolerance <= now && this.keySet?.source === this.currentJwks()) {
      return cached.principal;
    }
    let claims: ReturnType<typeof decodeJwt>;
    try {
      claims = decodeJwt(token);
    } catch {
      throw errors.malformedToken(challenge);
    }
    const audience = Array.isArray(claims.aud) ? claims.aud.join(',') : String(claims.aud ?? '');
    if (!audiences.some((a) => (Array.isArray(claims.aud) ? claims.aud.includes(a) : claims.aud === a))) {
      throw errors.invalidAudience(audiences[0]!, audience, challenge);
    }
    const { tenantId } = this.options;
    const issuers = this.options.issuers ?? [`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`];
    if (typeof claims.iss !== 'string' || !issuers.includes(claims.iss)) {
      throw errors.invalidIssuer(issuers, String(claims.iss ?? ''), challenge);
    }
    const jwks = this.currentJwks();
    if (this.keySet?.source !== jwks) this.keySet = { source: jwks, keys: createLocalJWKSet(jwks) };
    try {
      const { payload } = await jwtVerify(token, this.keySet.keys, {
        algorithms: ['RS256'],
        clockTolerance: tolerance,
        requiredClaims: ['exp'],
      });
      const objectId = typeof payload['oid'] === 'string' ? payload['oid'] : (payload.sub ?? '');
      const appId = typeof payload['appid'] === 'string' ? payload['appid'] : typeof payload['azp'] === 'string' ? payload['azp'] : '';
      const tid = typeof payload['tid'] === 'string' ? payload['tid'] : tenantId;
      const principal: Principal = { objectId, appId, tenantId: tid, issuer: claims.iss };
      if (this.verified.size >= TokenVerifier.CACHE_MAX) this.verified.clear();
      this.verified.set(cacheKey, { principal, exp: payload.exp ?? 0, nbf: payload.nbf ?? 0 });
      return principal;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw errors.tokenExpired(challenge);
      if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf') throw errors.tokenNotYetValid(challenge);
      if (error instanceof joseErrors.JWTClaimValidationFailed || error instanceof joseErrors.JWTInvalid) {
        throw errors.malformedToken(challenge);
      }
      if (error instanceof joseErrors.JWKSNoMatchingKey) throw errors.unknownSigningKey(token.split('.')[0] ?? '', challenge);
      throw errors.invalidSignature(challenge);
    }
  }
}

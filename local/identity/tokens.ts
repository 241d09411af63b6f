// Access tokens as Entra ID issues them for managed identities (v1 shape): RS256 with `kid`,
// iss https://sts.windows.net/<tenant>/, aud = requested resource, oid/tid/appid.
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';

export interface TokenSubject {
  clientId: string;
  objectId: string;
  resourceId: string;
}

export interface TokenRequest {
  subject: TokenSubject;
  tenantId: string;
  resource: string;
  /** Unix seconds; default now. */
  issuedAt?: number;
  lifetimeSeconds: number;
}

export function issuerFor(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/** Public half of the signing key, as a JWKS. */
export function publicJwks(signingKey: JWK & { kid: string }): JSONWebKeySet {
  const { kty, n, e, kid } = signingKey;
  return { keys: [{ kty, n, e, kid, alg: 'RS256', use: 'sig' }] };
}

export class TokenSigner {
  private key: Promise<CryptoKey | Uint8Array>;

  constructor(private readonly signingKey: JWK & { kid: string }) {
    this.key = importJWK(signingKey, 'RS256') as Promise<CryptoKey | Uint8Array>;
  }

  get jwks(): JSONWebKeySet {
    return publicJwks(this.signingKey);
  }

  async sign(request: TokenRequest): Promise<{ token: string; expiresOn: number }> {
    const iat = request.issuedAt ?? Math.floor(Date.now() / 1000);
    const expiresOn = iat + request.lifetimeSeconds;
    const token = await new SignJWT({
      aio: 'local',
      appid: request.subject.clientId,
      appidacr: '2',
      idp: issuerFor(request.tenantId),
      idtyp: 'app',
      oid: request.subject.objectId,
      rh: 'local',
      tid: request.tenantId,
      uti: randomUUID(),
      ver: '1.0',
      xms_mirid: request.subject.resourceId,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.signingKey.kid })
      .setIssuer(issuerFor(request.tenantId))
      .setAudience(request.resource)
      .setSubject(request.subject.objectId)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(expiresOn)
      .sign(await this.key);
    return { token, expiresOn };
  }
}

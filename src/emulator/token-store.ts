import { randomBytes } from 'node:crypto';
import type { CreatorsCredential } from './catalog.js';

interface IssuedToken {
  credential: CreatorsCredential;
  expiresAt: number;
}

/** Outcome of checking a bearer token. */
export type TokenCheck =
  | { ok: true; credential: CreatorsCredential }
  | { ok: false; reason: 'TokenExpired' | 'InvalidToken' };

const b64url = (data: object | Buffer): string =>
  (Buffer.isBuffer(data) ? data : Buffer.from(JSON.stringify(data))).toString('base64url');

/**
 * Access tokens the emulator issued. 2.x (Cognito) tokens look like JWTs, 3.x (LWA) ones like
 * `Atc|…`; clients must treat both as opaque.
 */
export class TokenStore {
  private tokens = new Map<string, IssuedToken>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Issues a token valid `ttlS` seconds. */
  issue(credential: CreatorsCredential, ttlS: number): string {
    const iat = Math.floor(this.now() / 1000);
    const token = credential.version.startsWith('3.')
      ? `Atc|MQ${randomBytes(60).toString('base64url')}`
      : [
          b64url({ kid: 'emulator-key', alg: 'RS256' }),
          b64url({
            sub: credential.id,
            token_use: 'access',
            scope: 'creatorsapi/default',
            iss: 'https://cognito-idp.emulator/creatorsapi',
            client_id: credential.id,
            iat,
            exp: iat + ttlS,
            jti: randomBytes(8).toString('hex'),
          }),
          b64url(randomBytes(64)),
        ].join('.');
    this.tokens.set(token, { credential, expiresAt: this.now() + ttlS * 1000 });
    return token;
  }

  /** Checks a token: issued here, not revoked, not expired. */
  check(token: string): TokenCheck {
    const t = this.tokens.get(token);
    if (!t) return { ok: false, reason: 'InvalidToken' };
    if (this.now() >= t.expiresAt) return { ok: false, reason: 'TokenExpired' };
    return { ok: true, credential: t.credential };
  }

  /** Revokes every token issued so far (they become invalid, as after a credential reset). */
  revokeAll(): void {
    this.tokens = new Map();
  }
}

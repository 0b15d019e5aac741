import {
  createRemoteJWKSet,
  decodeJwt,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import type { Logger } from '../log.ts';
import { ServiceError } from '../services/errors.ts';
import type { Clock } from '../util.ts';

/** The `typ` header a buyer token must carry (RFC 8725 §3.11: no confusion with other JWTs). */
export const BUYER_TOKEN_TYPE = 'bip-buyer+jwt';
/** Asymmetric only, and pinned: no `none`, no HMAC (whose "key" could be a public key). */
export const BUYER_TOKEN_ALGORITHMS = ['ES256', 'EdDSA'] as const;
/** A token may live at most this long (`exp` − `iat`). */
export const BUYER_TOKEN_MAX_SECONDS = 5 * 60;
/** Allowed disagreement between the host's clock and ours. */
export const CLOCK_TOLERANCE_SECONDS = 30;

export interface VerifiedHostToken {
  issuer: string;
  subject: string;
  jti: string;
  expiresAt: Date;
}

const refused = (why: string) =>
  new ServiceError('token_invalid', `The buyer token was refused: ${why}`);

/**
 * Verifies host-signed buyer tokens against the issuers the endpoint trusts, each with its JWKS
 * fetched over HTTP and cached by jose (a `kid` it has not seen triggers at most one refetch per
 * cooldown). Knows nothing of the database: the caller records the `jti` so it is used once.
 */
export class HostTokenVerifier {
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(
    private readonly issuers: ReadonlyMap<string, URL>,
    private readonly clock: Clock,
    private readonly log: Logger | null,
  ) {}

  get configured(): boolean {
    return this.issuers.size > 0;
  }

  /** The token's claims once every check passed, or a `token_invalid` ServiceError saying why. */
  async verify(token: string, audience: string): Promise<VerifiedHostToken> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw refused('not a JWT');
    }
    // The issuer picks the keys, so it is read before verification — and then verified too.
    const issuer = typeof unverified.iss === 'string' ? unverified.iss : '';
    const jwksUrl = this.issuers.get(issuer);
    if (!jwksUrl) throw refused('its issuer is not one this endpoint trusts');
    let keySet = this.keySets.get(issuer);
    if (!keySet) {
      keySet = createRemoteJWKSet(jwksUrl, { timeoutDuration: 5_000 });
      this.keySets.set(issuer, keySet);
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        algorithms: [...BUYER_TOKEN_ALGORITHMS],
        issuer,
        audience,
        typ: BUYER_TOKEN_TYPE,
        currentDate: this.clock.now(),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: BUYER_TOKEN_MAX_SECONDS,
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      }));
    } catch (err) {
      throw this.explain(err, issuer);
    }
    const { sub, jti, exp, iat } = payload as Required<
      Pick<JWTPayload, 'sub' | 'jti' | 'exp' | 'iat'>
    >;
    if (exp - iat > BUYER_TOKEN_MAX_SECONDS)
      throw refused(`it may live at most ${BUYER_TOKEN_MAX_SECONDS} seconds (exp − iat)`);
    if (typeof sub !== 'string' || !sub || sub.length > 255) throw refused('bad "sub"');
    if (typeof jti !== 'string' || !jti || jti.length > 255) throw refused('bad "jti"');
    return { issuer, subject: sub, jti, expiresAt: new Date(exp * 1000) };
  }

  private explain(err: unknown, issuer: string): ServiceError {
    if (err instanceof joseErrors.JWTExpired) return refused('it has expired');
    if (err instanceof joseErrors.JWTClaimValidationFailed)
      return refused(
        `the "${err.claim}" claim ${err.reason === 'missing' ? 'is missing' : 'does not match'}`,
      );
    if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported)
      return refused(`only ${BUYER_TOKEN_ALGORITHMS.join(' and ')} signatures are accepted`);
    if (err instanceof joseErrors.JWSSignatureVerificationFailed)
      return refused('the signature does not verify');
    if (err instanceof joseErrors.JWKSNoMatchingKey)
      return refused("no key of the issuer's JWKS matches the token");
    if (err instanceof joseErrors.JWKSTimeout || !(err instanceof joseErrors.JOSEError)) {
      // Not the token's fault: the issuer's JWKS could not be fetched or read.
      this.log?.warn({ issuer, err }, 'buyer token issuer keys unavailable');
      return refused("the issuer's keys could not be fetched; try again");
    }
    return refused(err.code);
  }
}

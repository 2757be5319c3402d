/** Bearer-token authentication: HS256 dev tokens locally, an OIDC issuer's JWKS in production. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { AppError, DependencyUnavailable, Forbidden, Unauthorized } from './errors.js';

export const roles = ['buyer', 'organizer', 'admin'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  sub: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export interface AuthSettings {
  AUTH_MODE: 'dev' | 'jwks';
  JWT_SECRET?: string | undefined;
  JWT_JWKS_URL?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  /**
   * The oldest a token may be, by its `iat`, whatever its `exp` says (0 or unset: no bound). A
   * token stolen or issued by mistake for years stops working after this; one without `iat` is refused.
   */
  JWT_MAX_TOKEN_AGE_SECONDS?: number | undefined;
}

/**
 * The settings a verifier of `AUTH_MODE` needs and lacks, each with why. Without an issuer, a token
 * the key set's owner signed for anything — another tenant, another app — would be taken, its role
 * with it. The config check reports them as configuration errors (checkAuthConfig); a verifier
 * built in process refuses them the same way.
 */
export function missingAuthSettings(settings: AuthSettings): Array<{ key: keyof AuthSettings; message: string }> {
  if (settings.AUTH_MODE === 'dev') {
    return settings.JWT_SECRET ? [] : [{ key: 'JWT_SECRET', message: 'required with AUTH_MODE=dev: the key tokens are signed with (npm start generates one)' }];
  }
  return [
    ...(settings.JWT_JWKS_URL ? [] : [{ key: 'JWT_JWKS_URL' as const, message: 'required with AUTH_MODE=jwks: where the issuer publishes its signing keys' }]),
    ...(settings.JWT_ISSUER ? [] : [{ key: 'JWT_ISSUER' as const, message: 'required with AUTH_MODE=jwks: the issuer whose tokens are accepted' }]),
  ];
}

const DEV_ISSUER = 'stream-seat-dev';

/**
 * A token's subject: who owns holds, orders, venues and events. It is stored and compared as
 * text, so it must survive the database unchanged: a lone surrogate came back as U+FFFD, and its
 * owner's own hold answered 404 to them; a control character would reach logs as it is.
 */
export const subjectClaim = z
  .string()
  .min(1)
  .max(200)
  .refine((sub) => !/[\p{Cc}\p{Cs}]/u.test(sub), 'must not contain control characters or lone surrogates');
const claims = z.object({ sub: subjectClaim, role: z.enum(roles) });

function principalFrom(payload: JWTPayload): Principal {
  const parsed = claims.safeParse({ sub: payload.sub, role: payload['role'] });
  if (!parsed.success) throw new Unauthorized('The token has no valid `sub` and `role` claims');
  return parsed.data;
}

/** Tokens remembered at most; past it the oldest is forgotten (and verified again if it comes back). */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;
/**
 * How long a verified token is trusted without checking it again, at most: a key the issuer
 * withdraws (rotated out, compromised) stops working within this, not at the tokens' `exp`.
 */
export const VERIFIED_TOKEN_MAX_AGE_MS = 60_000;

/**
 * Remembers verified tokens until their `exp`, for a minute at most: a buyer sends the same token
 * with every request, and checking its signature (WebCrypto, with a key import each time) cost
 * about a third of a hold request's CPU. Only tokens that passed verification are remembered,
 * and only while unexpired — nor past `maxTokenAgeSeconds` after their `iat`, when that is set; a
 * token without `exp` is verified every time.
 */
export function cachingTokenVerifier(
  verify: (token: string) => Promise<JWTPayload>,
  { clock = Date.now, maxEntries = VERIFIED_TOKEN_CACHE_SIZE, maxTokenAgeSeconds }: { clock?: () => number; maxEntries?: number; maxTokenAgeSeconds?: number | undefined } = {},
): TokenVerifier {
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt > clock()) return known.principal;
        verified.delete(token);
      }
      const payload = await verify(token);
      const principal = principalFrom(payload);
      if (typeof payload.exp === 'number') {
        if (verified.size >= maxEntries) verified.delete(verified.keys().next().value as string);
        const tooOldAt = maxTokenAgeSeconds && typeof payload.iat === 'number' ? (payload.iat + maxTokenAgeSeconds) * 1000 : Infinity;
        verified.set(token, { principal, expiresAt: Math.min(payload.exp * 1000, clock() + VERIFIED_TOKEN_MAX_AGE_MS, tooOldAt) });
      }
      return principal;
    },
  };
}

/**
 * The issuer's key set could not be had (timeout, network, a broken document): the token may be
 * fine, so this is an outage of a dependency (502), not the caller's bad token (401) — a 401
 * would sign every user of the web app out while the identity provider is unreachable.
 */
function isKeySetUnavailable(error: unknown): boolean {
  const tokenFaults = [
    joseErrors.JWTClaimValidationFailed,
    // Not a JWTClaimValidationFailed in jose 6: an expired token had been a 502 (the provider
    // "unavailable"), so the web app never signed its user out.
    joseErrors.JWTExpired,
    joseErrors.JWSSignatureVerificationFailed,
    joseErrors.JWSInvalid,
    joseErrors.JWTInvalid,
    joseErrors.JWKSNoMatchingKey,
    joseErrors.JWKSMultipleMatchingKeys,
    joseErrors.JOSEAlgNotAllowed,
    joseErrors.JOSENotSupported,
  ];
  return !tokenFaults.some((fault) => error instanceof fault);
}

/**
 * What identity providers sign access tokens with: RSA, RSA-PSS, ECDSA, EdDSA (and its RFC 9864
 * name Ed25519). jose already refuses a secret key from a remote key set; the list says so here.
 */
const ISSUER_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** How far apart an issuer's clock and this host's may be when a token's age is judged. */
export const CLOCK_TOLERANCE_SECONDS = 10;

export function createTokenVerifier(settings: AuthSettings): TokenVerifier {
  const [missing] = missingAuthSettings(settings);
  if (missing) throw new Error(`${missing.key}: ${missing.message}`);
  const maxAgeSeconds = settings.JWT_MAX_TOKEN_AGE_SECONDS || undefined;
  // A little leeway for clocks: an issuer's a second ahead of this host's had made a token just
  // issued "not yet issued" (iat in the future), and refused.
  const maxAge = maxAgeSeconds ? { maxTokenAge: maxAgeSeconds, clockTolerance: CLOCK_TOLERANCE_SECONDS } : {};
  // Both are there in jwks mode (above); named again for the types.
  if (settings.AUTH_MODE === 'jwks' && settings.JWT_JWKS_URL && settings.JWT_ISSUER) {
    const jwks = createRemoteJWKSet(new URL(settings.JWT_JWKS_URL));
    return cachingTokenVerifier(async (token) => {
      try {
        const { payload } = await jwtVerify(token, jwks, {
          // A token that never expires could never be withdrawn: refused, whoever signed it.
          requiredClaims: ['exp'],
          // Signatures by a private key only: a symmetric key in a published key set is public.
          algorithms: ISSUER_ALGORITHMS,
          issuer: settings.JWT_ISSUER,
          ...(settings.JWT_AUDIENCE ? { audience: settings.JWT_AUDIENCE } : {}),
          ...maxAge,
        });
        return payload;
      } catch (error) {
        // 502, not 503: the identity provider is out of reach, not this instance — a gateway takes a
        // 503 against the instance, and would open every instance's circuit during the provider's outage.
        if (isKeySetUnavailable(error)) throw new DependencyUnavailable('identity provider', 'The identity provider’s signing keys cannot be fetched right now; retry');
        throw error;
      }
    }, { maxTokenAgeSeconds: maxAgeSeconds });
  }
  const key = new TextEncoder().encode(settings.JWT_SECRET);
  return cachingTokenVerifier(
    async (token) => (await jwtVerify(token, key, { issuer: DEV_ISSUER, algorithms: ['HS256'], requiredClaims: ['exp'], ...maxAge })).payload,
    { maxTokenAgeSeconds: maxAgeSeconds },
  );
}

/** Signs a local-mode token; only `AUTH_MODE=dev` accepts it. */
export async function signDevToken(secret: string, principal: Principal, ttlSeconds = 12 * 3600): Promise<string> {
  return new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.sub)
    .setIssuer(DEV_ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  // Exactly `Bearer <token>`: anything after the token is not ignored but makes the header unusable.
  return /^bearer ([^\s]+)$/i.exec(header)?.[1];
}

/** Verifies the bearer token, if any, and stores the principal on the request. */
export async function authenticate(verifier: TokenVerifier, request: FastifyRequest): Promise<Principal | undefined> {
  const token = bearerToken(request);
  if (!token) return undefined;
  try {
    request.principal = await verifier.verify(token);
    return request.principal;
  } catch (error) {
    // Unauthorized as it is; a DependencyUnavailable (the key set is out of reach) stays a 502.
    if (error instanceof AppError) throw error;
    throw new Unauthorized('The bearer token is invalid or expired');
  }
}

/**
 * For public reads (the catalogue, availability): the caller's principal when the bearer token
 * is valid, and anonymous — as if no token were sent — when there is none or it is invalid or
 * expired, so that a stale token left in a browser never locks anyone out of what is public.
 * Routes that need a principal use `requireRole`, which answers 401 to a bad token.
 */
export async function optionalPrincipal(verifier: TokenVerifier, request: FastifyRequest): Promise<Principal | undefined> {
  try {
    return await authenticate(verifier, request);
  } catch (error) {
    // A public read needs no token: neither a bad one nor an unreachable issuer stops it.
    if (!(error instanceof Unauthorized || error instanceof DependencyUnavailable)) throw error;
    request.log.debug({ reason: error.message }, 'bearer token ignored on a public read');
    return undefined;
  }
}

/**
 * A route hook that lets only the given roles through (admin always passes). Routes run it
 * `onRequest`: it needs only the headers, so a caller without a valid token hears 401 before
 * the body is read or validated (a 400 would tell an anonymous caller about the API's shape).
 */
export function requireRole(verifier: TokenVerifier, ...allowed: Role[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticate(verifier, request);
    if (!principal) throw new Unauthorized();
    if (principal.role !== 'admin' && !allowed.includes(principal.role)) throw new Forbidden();
  };
}

/** The principal a `requireRole` hook stored; a route without one is a programming error. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthorized();
  return request.principal;
}

/**
 * A route hook for service-to-service routes (`/internal/*`): only a caller presenting the shared
 * `SERVICE_TOKEN` as a bearer token passes. There is no open mode: an empty token is refused here.
 */
export function requireServiceToken(token: string) {
  if (!token) throw new Error('requireServiceToken needs the SERVICE_TOKEN the other services present');
  const expected = Buffer.from(token);
  return async (request: FastifyRequest): Promise<void> => {
    const given = Buffer.from(bearerToken(request) ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new Unauthorized('This route is for Stream-Seat services only');
    }
  };
}

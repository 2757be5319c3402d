/** Environment configuration: parsed once with zod, failing fast with every bad key, printed redacted. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { missingAuthSettings } from './auth.js';

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_KEY = /(PASSWORD|SECRET|TOKEN|KEY|CREDENTIALS)$/i;

/**
 * Reads `NAME_FILE` into `NAME` for each key the service knows (Docker/Kubernetes secrets), so
 * that a secret never has to be written into an environment variable or the repository.
 */
export function resolveFileSecrets(env: NodeJS.ProcessEnv, keys: string[]): NodeJS.ProcessEnv {
  const resolved: NodeJS.ProcessEnv = { ...env };
  for (const target of keys) {
    const key = `${target}_FILE`;
    const path = env[key];
    if (!path || resolved[target] !== undefined) continue;
    try {
      resolved[target] = readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new ConfigError([`${key}: cannot read ${path} (${(error as Error).message})`]);
    }
  }
  return resolved;
}

/** Parses the environment against a zod object schema; every problem is reported at once. */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(resolveFileSecrets(env, Object.keys(schema.shape)));
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}

/**
 * A copy fit for logs: secret values replaced, and credentials inside any URL masked — lists of
 * URLs included (`EUREKA_URL=http://eureka:TOKEN@…`, `REGISTRY_PEERS`).
 */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (SECRET_KEY.test(key) || key === 'DB_SECRET') out[key] = '[redacted]';
    else if (typeof value === 'string') out[key] = redactUrl(value);
    else if (Array.isArray(value)) out[key] = value.map((v) => (typeof v === 'string' ? redactUrl(v) : v));
    else out[key] = value;
  }
  return out;
}

/**
 * True when a URL's credentials are not where the URL parser looks for them: a password or token
 * with an unescaped `/`, `?`, `#` or `\`, which the parser reads as a host, a port and a path
 * (`mysql://app:2024/Secret@db/x`) or fails on — or an `@` where it found no credentials at all.
 * An `@` in the query of a URL with proper credentials is fine. (packages/db keeps a copy: it
 * does not depend on the platform.)
 */
export function credentialsMisplaced(raw: string): boolean {
  const scheme = raw.indexOf('://');
  if (scheme < 0 || raw.lastIndexOf('@') < scheme) return false;
  const rest = raw.slice(scheme + 3);
  const queryStart = rest.search(/[?#]/);
  const at = (queryStart < 0 ? rest : rest.slice(0, queryStart)).lastIndexOf('@');
  // A separator before the credentials end: `/`, `?`, `#`, or `\` (a separator in http URLs).
  const authorityEnd = rest.search(/[/?#\\]/);
  if (at >= 0 && authorityEnd >= 0 && authorityEnd < at) return true;
  try {
    const url = new URL(raw);
    // An '@' (in a query, or after a `?`/`#` of a password) where the parser found no credentials.
    return !url.username && !url.password;
  } catch {
    return true;
  }
}

/** Query parameters that carry a secret (`redis://host?password=…`), by name. */
export const SECRET_PARAM = /pass|secret|token|key|credential/i;

/**
 * A URL with its credentials masked: the password, or a user name standing alone (a token, as in
 * `redis://TOKEN@host`), and query parameters named like a secret (`?password=`); when the
 * credentials are misplaced (above), everything between `://` and the last `@`. A value with
 * nothing to mask comes back as it was written.
 */
export function redactUrl(value: string): string {
  const scheme = value.indexOf('://');
  if (scheme < 0) return value;
  if (credentialsMisplaced(value)) return `${value.slice(0, scheme + 3)}***${value.slice(value.lastIndexOf('@'))}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value; // no credentials in it (they would have been misplaced), and no parameters to read
  }
  const secretParams = [...url.searchParams.keys()].filter((name) => SECRET_PARAM.test(name));
  if (!url.username && !url.password && secretParams.length === 0) return value;
  if (url.password) url.password = '***';
  else if (url.username) url.username = '***';
  for (const name of secretParams) url.searchParams.set(name, '***');
  return url.toString();
}

/**
 * REDIS_URL with REDIS_PASSWORD as its password (the user is the URL's, an ACL user on AWS): the
 * password is a secret apart from the URL, which is plain configuration. In the URL because a
 * client given both takes the URL's (empty) password over its options' (ioredis does).
 */
export function redisUrlWithPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const withPassword = new URL(url);
  withPassword.password = encodeURIComponent(password);
  return withPassword.toString();
}

/** Helpers for env values, which are always strings. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  list: () =>
    z
      .string()
      .default('')
      .transform(splitList),
  /**
   * A comma-separated list of http(s) URLs (`EUREKA_URL`, `REGISTRY_PEERS`). An entry that is not
   * one — most often half of a password with a comma in it, which the list split — is refused
   * by its position, never printed: it would be a piece of a credential.
   */
  urlList: (options: { bareHosts?: boolean } = {}) =>
    z
      .string()
      .default('')
      .transform((v, ctx) => {
        const urls = splitList(v);
        const what = options.bareHosts ? 'an http(s) URL without query, or a host[:port]' : 'an http(s) URL without query';
        urls.forEach((url, i) => {
          if (!isHttpUrl(url) && !(options.bareHosts && BARE_HOST.test(url))) {
            ctx.addIssue({
              code: 'custom',
              message: `entry ${i + 1} of ${urls.length} is not ${what} (a comma, like any special character in a password or token, must be percent-encoded: %2C)`,
            });
          }
        });
        return urls;
      }),
  /** A secret that may be absent (`NAME=` in an env file is absent too); `NAME_FILE` works, as for every setting. */
  optionalSecret: () => z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  /**
   * A Redis URL (`redis://` or `rediss://`), optional. Credentials written so that the parser
   * would read a piece of them as the host or port are refused, without repeating the value.
   */
  redisUrl: () =>
    z
      // Empty (`REDIS_URL=` in an env file) is unset, as it always was: no Redis.
      .preprocess((v) => (v === '' ? undefined : v), z.string().optional())
      .refine((v) => v === undefined || (/^rediss?:\/\//i.test(v) && !credentialsMisplaced(v) && URL.canParse(v)), {
        message: 'must be a redis:// or rediss:// URL; percent-encode special characters of its password (/ ? # @ , as %2F %3F %23 %40 %2C)',
      }),
};

/** A DNS name or address with an optional port, and nothing else: `eureka.stream-seat.local:8761`, `[fd00::1]:8761`. */
const BARE_HOST = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/;

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A registry URL: http(s), credentials where the parser finds them, and no query or fragment —
 * Eureka's URLs have none, and a comma in one would split the list (`?token=S3CRET,PART2` made a
 * peer of `PART2`).
 */
function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value) && !/[?#]/.test(value) && !credentialsMisplaced(value) && URL.canParse(value);
}

/** Keys every service reads: where it listens, how it logs, how it finds the registry. */
export const baseConfigSchema = z.object({
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EUREKA_URL: env.urlList(),
  /**
   * The registry's token (its REGISTRY_TOKEN), sent as a bearer token to every registry URL that
   * carries no credentials of its own: a secret kept out of EUREKA_URL, which is plain configuration.
   */
  REGISTRY_TOKEN: z.string().min(8).optional(),
  EUREKA_RENEW_SECONDS: env.int(30, 1),
  EUREKA_LEASE_SECONDS: env.int(90, 1),
  EUREKA_FETCH_SECONDS: env.int(30, 1),
  ADVERTISED_HOST: z.string().optional(),
  PREFERRED_NETWORKS: env.list(),
  IGNORED_INTERFACES: env.list(),
  SHUTDOWN_TIMEOUT_MS: env.int(10_000),
  /** After deregistering, how long to go on serving while gateways' cached registry copies still list this instance. */
  SHUTDOWN_GRACE_MS: env.int(0),
  AUTH_MODE: z.enum(['dev', 'jwks']).default('dev'),
  JWT_SECRET: z.string().min(16).optional(),
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  /** Tokens older than this (by `iat`) are refused, whatever their `exp`; 0: no bound. */
  JWT_MAX_TOKEN_AGE_SECONDS: env.int(86_400),
});
export type BaseConfig = z.output<typeof baseConfigSchema>;

/**
 * `SERVICE_TOKEN`: the secret the event service presents on booking's `/internal/*` routes.
 * Required by both (there is no open mode: without it the route would take anyone's message).
 */
export const serviceTokenSetting = z.string().min(16, 'must be 16+ characters, shared by the event and booking services');

/**
 * The rules between the auth keys (missingAuthSettings), for the config schemas of the services
 * that verify tokens (`.superRefine(checkAuthConfig)`): a configuration error naming its key.
 */
export function checkAuthConfig(config: Pick<BaseConfig, 'AUTH_MODE' | 'JWT_SECRET' | 'JWT_JWKS_URL' | 'JWT_ISSUER'>, ctx: z.RefinementCtx): void {
  for (const { key, message } of missingAuthSettings(config)) ctx.addIssue({ code: 'custom', path: [key], message });
}

/** Where a service's database is: a SQLite file path or a mysql:// URL, possibly from a secret. */

export type Dialect = 'sqlite' | 'mysql';

/** The JSON that ECS injects from an RDS secret in Secrets Manager. */
export interface DbSecret {
  username: string;
  password: string;
  host: string;
  port?: number | string;
  dbname?: string;
}

export type DatabaseTarget =
  | { dialect: 'sqlite'; file: string }
  | {
      dialect: 'mysql';
      host: string;
      port: number;
      user: string;
      password: string;
      database: string;
    };

export interface TargetInput {
  /** `DATABASE_URL`: `mysql://user:pass@host:3306/name`, `sqlite:path`, or a bare file path. */
  url?: string | undefined;
  /** `DB_SECRET`: the Secrets Manager JSON; wins over the URL's credentials. */
  secret?: string | undefined;
  /** `DATABASE_NAME`: the database to use with a secret that names none (or another service's). */
  databaseName?: string | undefined;
  /** The SQLite file used when nothing else is configured. */
  defaultSqliteFile: string;
}

const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;

export function parseDbSecret(json: string): DbSecret {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('DB_SECRET is not valid JSON');
  }
  const secret = value as Partial<DbSecret>;
  for (const key of ['username', 'password', 'host'] as const) {
    if (typeof secret[key] !== 'string' || !secret[key]) throw new Error(`DB_SECRET has no ${key}`);
  }
  return secret as DbSecret;
}

function checkedName(name: string): string {
  if (!DATABASE_NAME.test(name)) throw new Error(`database name "${name}" must match ${DATABASE_NAME}`);
  return name;
}

/**
 * The platform's `credentialsMisplaced`, copied: this package does not depend on the platform.
 * Keep the two the same; both packages test the same URL shapes.
 */
function credentialsMisplaced(raw: string): boolean {
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

/** A URL's scheme, lower-cased: schemes are case-insensitive (`MySQL://` is MySQL). */
function schemeOf(url: string): string | undefined {
  return /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
}

/**
 * What is wrong with a `DATABASE_URL` of a scheme no service speaks (`postgres://…`), or undefined.
 * Such a URL had become a SQLite file named after it, password and all, and that path reached the
 * logs; the message names the scheme only. A Windows drive (`C:\data\x.db`) is a path.
 */
export function databaseUrlProblem(url: string): string | undefined {
  const scheme = schemeOf(url.trim());
  if (!scheme || ['mysql', 'mariadb', 'sqlite'].includes(scheme)) return undefined;
  if (!url.includes('://') && !url.includes('@')) return undefined;
  return `has the scheme "${scheme}:", which no service speaks: use mysql://… (or mariadb://…), sqlite:PATH, or a file path`;
}

export function resolveTarget(input: TargetInput): DatabaseTarget {
  if (input.secret) {
    const secret = parseDbSecret(input.secret);
    return {
      dialect: 'mysql',
      host: secret.host,
      port: Number(secret.port ?? 3306),
      user: secret.username,
      password: secret.password,
      database: checkedName(input.databaseName ?? secret.dbname ?? 'stream_seat'),
    };
  }
  const url = input.url?.trim();
  if (!url) return { dialect: 'sqlite', file: input.defaultSqliteFile };
  const scheme = schemeOf(url);
  if (scheme === 'mysql' || scheme === 'mariadb') {
    // Never the URL itself in the message: it holds the password, and this reaches the logs.
    const invalid = () =>
      new Error('DATABASE_URL is not a valid URL: percent-encode special characters of the user name and password (/ as %2F, # as %23, ? as %3F, : as %3A)');
    if (credentialsMisplaced(url)) throw invalid();
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalid();
    }
    const name = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || input.databaseName;
    if (!name) throw new Error('DATABASE_URL names no database (mysql://user:pass@host:3306/NAME)');
    return {
      dialect: 'mysql',
      // An IPv6 host comes back in its brackets ([::1]), which the driver would look up as a name.
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(parsed.port || 3306),
      user: decodeURIComponent(parsed.username || 'root'),
      password: decodeURIComponent(parsed.password),
      database: checkedName(name),
    };
  }
  if (scheme === 'sqlite') return { dialect: 'sqlite', file: url.slice('sqlite:'.length).replace(/^\/\//, '') || input.defaultSqliteFile };
  const problem = databaseUrlProblem(url);
  if (problem) throw new Error(`DATABASE_URL ${problem}`);
  return { dialect: 'sqlite', file: url };
}

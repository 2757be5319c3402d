/** The database keys of a service's environment, and opening the database they describe. */
import { z } from 'zod';
import { databaseUrlProblem, resolveTarget } from './connection-url.js';
import { type Database, type DatabaseLogger, openDatabase } from './database.js';

export const databaseConfigSchema = z.object({
  DATABASE_URL: z
    .string()
    .optional()
    .superRefine((url, ctx) => {
      const problem = url === undefined ? undefined : databaseUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('mysql://user:pass@host:3306/name, or a SQLite file path'),
  DB_SECRET: z.string().optional().describe('Secrets Manager JSON: username, password, host, port, dbname'),
  DATABASE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/)
    .optional(),
  DATABASE_TLS: z.enum(['off', 'rds']).default('off'),
  /**
   * `mysql`: refuse to start on the embedded SQLite when no MySQL is configured. In the cloud a task
   * that lost its DB_SECRET would otherwise sell from a file of its own — each task its own
   * inventory, the same seat once per task.
   */
  DATABASE_REQUIRED: z.enum(['mysql']).optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  DB_SLOW_QUERY_MS: z.coerce.number().int().min(1).default(200),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  DB_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
});
export type DatabaseConfig = z.output<typeof databaseConfigSchema>;

export function openServiceDatabase<T>(config: DatabaseConfig, defaultSqliteFile: string, log?: DatabaseLogger): Database<T> {
  const target = resolveTarget({ url: config.DATABASE_URL, secret: config.DB_SECRET, databaseName: config.DATABASE_NAME, defaultSqliteFile });
  if (config.DATABASE_REQUIRED === 'mysql' && target.dialect !== 'mysql') {
    throw new Error('DATABASE_REQUIRED is mysql, but neither DB_SECRET nor a mysql:// DATABASE_URL is set: refusing to start on SQLite');
  }
  return openDatabase<T>({
    target,
    poolSize: config.DB_POOL_SIZE,
    tls: config.DATABASE_TLS === 'rds' ? 'rds' : undefined,
    slowQueryMs: config.DB_SLOW_QUERY_MS,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: config.DB_QUERY_TIMEOUT_MS,
    idleTimeoutMs: config.DB_IDLE_TIMEOUT_MS,
    ...(log ? { log } : {}),
  });
}

/** A database configuration with every default and the given URL (tests, tools). */
export function databaseConfigFor(url: string): DatabaseConfig {
  return databaseConfigSchema.parse({ DATABASE_URL: url });
}

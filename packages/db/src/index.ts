/** @stream-seat/db: one Kysely API over SQLite and MySQL, migrations, test databases. */
export * from './connection-url.js';
export * from './database.js';
export * from './database-config.js';
export * from './dialect-sql.js';
export * from './exact-text.js';
export * from './migrate.js';
export * from './raw-sql.js';
export * from './test-database.js';
export * from './schema-probes.js';
export * from './migrate-command.js';

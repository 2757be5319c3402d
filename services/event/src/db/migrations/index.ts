/** The event service's migrations, in order. */
import type { Dialect, Migrations } from '@stream-seat/db';
import { catalogueMigration } from './001-catalogue.js';

export function eventMigrations(dialect: Dialect): Migrations {
  return { '001-catalogue': catalogueMigration(dialect) };
}

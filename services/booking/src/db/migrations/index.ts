/** The booking service's migrations, in order. */
import type { Dialect, Migrations } from '@stream-seat/db';
import { inventoryMigration } from './001-inventory.js';

export function bookingMigrations(dialect: Dialect): Migrations {
  return { '001-inventory': inventoryMigration(dialect) };
}

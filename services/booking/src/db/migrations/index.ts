/** The booking service's migrations, in order. */
import type { Dialect, Migrations } from '@stream-seat/db';
import { bookingSchemaMigration } from './001-booking.js';

export function bookingMigrations(dialect: Dialect): Migrations {
  return { '001-booking': bookingSchemaMigration(dialect) };
}

/** The booking service's migrations, in order. */
import { type Dialect, exactTextMigration, type Migrations } from '@stream-seat/db';
import { bookingSchemaMigration } from './001-booking.js';
import { refundsDueMigration } from './002-refunds-due.js';
import { paymentAttemptsMigration } from './003-payment-attempts.js';
import { holdsActiveCoveringMigration } from './004-holds-active-covering.js';
import { orderCancellationMigration } from './005-order-cancellation.js';
import { seatsEventStatusMigration } from './006-seats-event-status.js';
import { seatChangesEventCancelledMigration } from './007-seat-changes-event-cancelled.js';
import { paymentAttemptsRecheckMigration } from './009-payment-attempts-recheck.js';
import { inventoriesStartsAtMigration } from './010-inventories-starts-at.js';
import { inventoriesSaleTermsMigration } from './011-inventories-sale-terms.js';
import { idempotencyAliveMigration } from './012-idempotency-alive.js';
import { testProviderChargesMigration } from './013-test-provider-charges.js';

export function bookingMigrations(dialect: Dialect): Migrations {
  return {
    '001-booking': bookingSchemaMigration(dialect),
    '002-refunds-due': refundsDueMigration(),
    '003-payment-attempts': paymentAttemptsMigration(),
    '004-holds-active-covering': holdsActiveCoveringMigration(dialect),
    '005-order-cancellation': orderCancellationMigration(dialect),
    '006-seats-event-status': seatsEventStatusMigration(dialect),
    '007-seat-changes-event-cancelled': seatChangesEventCancelledMigration(dialect),
    // Identities compared exactly on MySQL as on SQLite (@stream-seat/db exact-text.ts).
    '008-exact-text': exactTextMigration(dialect),
    '009-payment-attempts-recheck': paymentAttemptsRecheckMigration(dialect),
    '010-inventories-starts-at': inventoriesStartsAtMigration(dialect),
    '011-inventories-sale-terms': inventoriesSaleTermsMigration(dialect),
    '012-idempotency-alive': idempotencyAliveMigration(dialect),
    '013-test-provider-charges': testProviderChargesMigration(dialect),
  };
}

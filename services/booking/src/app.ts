/** Composition root of the booking service: wires repositories, domain and routes; never listens. */
import { Counter } from 'prom-client';
import { type Database, isContention, isDatabaseUnavailable } from '@stream-seat/db';
import { type App, Contended, createService, type ErrorMapper, registerRoutes, ServiceUnavailable, type TokenVerifier } from '@stream-seat/platform';
import { createCatalogueMessageRepository } from './db/catalogue-message.repository.js';
import { createHoldRepository } from './db/hold.repository.js';
import { createIdempotencyRepository } from './db/idempotency.repository.js';
import { createInventoryRepository } from './db/inventory.repository.js';
import { createOrderRepository } from './db/order.repository.js';
import { createPaymentAttemptRepository } from './db/payment-attempt.repository.js';
import { createRefundRepository } from './db/refund.repository.js';
import type { BookingDatabase } from './db/schema.js';
import { createSeatClaimRepository } from './db/seat-claim.repository.js';
import { createSeatChangeRepository, type SeatChangeRepository } from './db/seat-change.repository.js';
import { createTicketRepository } from './db/ticket.repository.js';
import { createCatalogueMessageHandler } from './domain/catalogue-message-handler.js';
import type { CatalogueClient } from './domain/catalogue-client.js';
import { createClaimBatcher } from './domain/claim-batcher.js';
import { createHoldService } from './domain/hold-service.js';
import { createHoldSweeper, type HoldSweeper } from './domain/hold-sweeper.js';
import { createUnconfirmedHolds } from './domain/unconfirmed-holds.js';
import { createOrderCancellation } from './domain/order-cancellation.js';
import { createPaymentReconciler } from './domain/payment-reconciler.js';
import { createRefunds } from './domain/refunds.js';
import { createSalesSummaries } from './domain/sales-summary.js';
import { salesFiguresOf } from './db/sales.repository.js';
import { createInventoryService } from './domain/inventory-service.js';
import { createOrderService } from './domain/order-service.js';
import { paymentCarryMs } from './domain/order-placement.js';
import { createTestPaymentProvider, type ForgetsOldCharges, type PaymentProvider } from './domain/payment-provider.js';
import { createTestProviderChargeLedger } from './db/test-provider-charges.repository.js';
import { createInProcessSeatChangeBus, type SeatChangeBus } from './live/seat-change-bus.js';
import { createAvailabilityHub } from './live/availability-hub.js';
import { withCommitTime } from './live/commit-time.js';
import { createLiveMetrics } from './live/live-metrics.js';
import { createSnapshotCache } from './live/snapshot-cache.js';
import { createAvailabilityViews } from './domain/availability.js';
import { registerAvailabilityRoutes } from './routes/availability.routes.js';
import { registerAvailabilityStreamRoute } from './routes/availability-stream.routes.js';
import { registerCatalogueMessageRoutes } from './routes/catalogue-message.routes.js';
import { createIdempotency, IDEMPOTENCY_TTL_MS, SILENT_AFTER_MS } from './routes/idempotency.js';
import { registerHoldRoutes } from './routes/hold.routes.js';
import { registerOrderRoutes } from './routes/order.routes.js';
import { registerSalesRoutes } from './routes/sales.routes.js';
import { registerTicketRoutes } from './routes/ticket.routes.js';

export interface BookingSettings {
  holdTtlSeconds: number;
  holdSweepIntervalMs: number;
  maxActiveHoldsPerBuyer: number;
  paymentTimeoutMs: number;
  /** A payment attempt older than this never became an order: its charge (if any) is refunded. */
  paymentAbandonedAfterMs: number;
  paymentLateChargeWindowMs: number;
  idempotencyWaitMs: number;
  /** Live stream: comment heartbeat interval. */
  streamHeartbeatMs: number;
  /** Live stream: bytes that may wait unsent for one client before it is dropped. */
  streamMaxBufferedBytes: number;
  /** Live stream: recent batches kept per event for Last-Event-ID resumption. */
  streamRingSize: number;
  /** Live stream: a client further behind than this gets a fresh snapshot. */
  streamMaxReplay: number;
  /** Live stream: how often active events are compared with the database's seq. */
  streamCatchUpMs: number;
  /** Live stream: how long one serialized snapshot is shared by clients that connect. */
  streamSnapshotMaxAgeMs: number;
}

export const defaultBookingSettings: BookingSettings = {
  holdTtlSeconds: 600,
  holdSweepIntervalMs: 5_000,
  maxActiveHoldsPerBuyer: 3,
  paymentTimeoutMs: 10_000,
  paymentAbandonedAfterMs: 900_000,
  paymentLateChargeWindowMs: 7 * 86_400_000,
  idempotencyWaitMs: 20_000,
  streamHeartbeatMs: 15_000,
  streamMaxBufferedBytes: 1024 * 1024,
  streamRingSize: 1_000,
  streamMaxReplay: 1_000,
  streamCatchUpMs: 5_000,
  streamSnapshotMaxAgeMs: 1_000,
};

export interface BookingAppDeps {
  database: Database<BookingDatabase>;
  verifier: TokenVerifier;
  catalogue: CatalogueClient;
  payments?: PaymentProvider & Partial<ForgetsOldCharges>;
  /** Shared secret the event service presents on `/internal/*`. */
  serviceToken: string;
  /** Where committed seat changes go; in process by default. */
  bus?: SeatChangeBus;
  settings?: Partial<BookingSettings>;
  clock?: () => number;
  logLevel?: string;
  logger?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The seams of the live-availability work: the bus to subscribe to, and the stored changes. */
    booking: { bus: SeatChangeBus; seatChanges: SeatChangeRepository; sweeper: HoldSweeper };
  }
}

/** How long a handled catalogue message is remembered, so that a redelivery is only acknowledged. */
const CATALOGUE_MESSAGES_KEPT_MS = 30 * 86_400_000;

/** How the service answers its libraries' errors (the Idempotency-Key layer judges failures by them too). */
export const bookingErrorMappers: ErrorMapper[] = [
  // Locks other buyers hold (a deadlock that outlived its retries, a row-lock wait timed out):
  // the caller may simply try again, and the gateway does not hold it against this instance.
  (error) => (isContention(error) ? new Contended('Too many buyers are changing these seats right now; retry') : undefined),
  (error) => (isDatabaseUnavailable(error) ? new ServiceUnavailable('The database is unavailable') : undefined),
];

export function buildBookingApp(deps: BookingAppDeps): App {
  const clock = deps.clock ?? Date.now;
  const settings = { ...defaultBookingSettings, ...deps.settings };
  const app = createService({
    name: 'booking',
    logLevel: deps.logLevel ?? 'info',
    logger: deps.logger ?? true,
    openapi: { title: 'Stream-Seat booking service', description: 'Seat inventory, holds, orders, tickets, check-in, sales figures' },
    errorMappers: bookingErrorMappers,
  });
  const { db } = deps.database;
  const bus = withCommitTime(
    deps.bus ?? createInProcessSeatChangeBus((error) => app.log.error({ err: error }, 'seat change listener failed')),
    clock,
  );
  // The test provider's charges in the database: every instance finds the charges another made.
  const payments: PaymentProvider & Partial<ForgetsOldCharges> = deps.payments ?? createTestPaymentProvider({ ledger: createTestProviderChargeLedger(db, clock) });
  const inventories = createInventoryRepository(db, deps.database.dialect);
  const holdRepository = createHoldRepository(db);
  const idempotencyKeys = createIdempotencyRepository(db);
  const inventory = createInventoryService({ inventories, catalogue: deps.catalogue, clock });
  const unconfirmedHolds = createUnconfirmedHolds({ holds: holdRepository, bus });
  const holds = createHoldService({
    holds: holdRepository,
    unconfirmed: unconfirmedHolds,
    claims: createClaimBatcher(createSeatClaimRepository(deps.database).claimBatch),
    inventories,
    inventory,
    catalogue: deps.catalogue,
    bus,
    clock,
    holdTtlSeconds: settings.holdTtlSeconds,
    maxActiveHoldsPerBuyer: settings.maxActiveHoldsPerBuyer,
    // The sweeper is made below (it tidies with services made after this one); no hold is made before the app serves.
    onHoldMade: (expiresAt) => sweeper.holdMade(expiresAt),
  });
  const refunds = createRefunds({
    payments,
    refundsDue: createRefundRepository(db),
    clock,
    timeoutMs: settings.paymentTimeoutMs,
    onOwed: (paymentId, error) => app.log.warn({ paymentId, err: error }, 'refund failed; recorded as owed and retried by the sweeper'),
    onLost: (request, error) =>
      app.log.error({ refund: request, err: error }, 'REFUND OWED BUT NOT RECORDED: the provider and the database both failed; settle this by hand'),
  });
  const attempts = createPaymentAttemptRepository(db);
  const orderRepository = createOrderRepository(db);
  const abandonedChargesRefunded = new Counter({
    name: 'booking_abandoned_charges_refunded_total',
    help: 'Charges whose order never came (a crash mid-payment, a late charge), refunded by the reconciler',
    registers: [app.metricsRegistry],
  });
  const reconciler = createPaymentReconciler({
    attempts,
    orderExists: async (reference) => (await orderRepository.find(reference)) !== undefined,
    payments,
    refunds,
    // Never while a payment may still be under way.
    abandonedAfterMs: Math.max(settings.paymentAbandonedAfterMs, 2 * settings.paymentTimeoutMs),
    lateChargeWindowMs: settings.paymentLateChargeWindowMs,
    onLetGo: (attempt) => app.log.info({ attempt }, 'abandoned payment attempt let go: its provider knew of no charge within PAYMENT_LATE_CHARGE_WINDOW_MS'),
    onUnknown: (attempt) =>
      app.log.error({ attempt }, 'PAYMENT ATTEMPT ABANDONED: the provider cannot say whether it charged; check it by its reference'),
    // A charge whose order never came (a crash mid-payment, a charge that landed late): refunded
    // without anyone asking, so said in the log and counted, for operations to audit.
    onRefunded: (attempt, paymentId) => {
      abandonedChargesRefunded.inc();
      app.log.warn({ attempt, paymentId }, 'abandoned payment refunded: its charge never became an order');
    },
  });
  const cancellation = createOrderCancellation({
    orders: orderRepository,
    refunds,
    bus,
    clock,
    // An order's lease: longer than one refund may take (it times out after paymentTimeoutMs), and
    // every refund attempt first takes the lease with a conditional write, so a sweeper never
    // refunds an order a request is refunding, nor the other way round.
    resumeAfterMs: Math.max(5_000, 2 * settings.paymentTimeoutMs),
    onRetry: (orderId, attempts, nextAttemptAt, error) =>
      app.log.warn({ orderId, attempts, nextAttemptAt: new Date(nextAttemptAt).toISOString(), err: error }, 'order cancellation not finished (refund failed?); retried by the sweeper'),
  });
  const orders = createOrderService({
    holds: holdRepository,
    orders: orderRepository,
    tickets: createTicketRepository(db),
    inventory,
    catalogue: deps.catalogue,
    payments,
    attempts,
    refunds,
    cancellation,
    bus,
    clock,
    paymentTimeoutMs: settings.paymentTimeoutMs,
    paymentCarryMs: paymentCarryMs(settings.paymentTimeoutMs, SILENT_AFTER_MS),
    holdTtlSeconds: settings.holdTtlSeconds,
    // The hold's release pass moves with it (the sweeper is made below; no payment comes before the app serves).
    onHoldExtended: (expiresAt) => sweeper.holdMade(expiresAt),
  });
  const catalogueMessages = createCatalogueMessageRepository(db);
  let messagesForgotAt = Number.NEGATIVE_INFINITY;
  const sweeper = createHoldSweeper({
    holds: holdRepository,
    bus,
    clock,
    intervalMs: settings.holdSweepIntervalMs,
    alsoEachRun: async (now) => {
      await unconfirmedHolds.releaseCommitted(now);
      await idempotencyKeys.purgeOlderThan(now - IDEMPOTENCY_TTL_MS);
      await refunds.retryDue(now);
      await cancellation.resumeDue(now);
      await reconciler.reconcile(now);
      await payments.forgetChargesOlderThan?.(now - settings.paymentLateChargeWindowMs);
      // Handled catalogue messages, kept 30 days for deduplication (they had been kept for good), once an hour.
      if (now - messagesForgotAt >= 3_600_000) {
        messagesForgotAt = now;
        await catalogueMessages.forgetProcessedBefore(now - CATALOGUE_MESSAGES_KEPT_MS);
      }
    },
    onError: (error) => app.log.warn({ err: error }, 'hold sweep failed'),
    paused: () => app.isStarting(),
  });
  const idempotent = createIdempotency({ keys: idempotencyKeys, clock, waitMs: settings.idempotencyWaitMs, errorMappers: bookingErrorMappers });

  const seatChanges = createSeatChangeRepository(db);
  const liveMetrics = createLiveMetrics(app.metricsRegistry);
  const hub = createAvailabilityHub({
    bus,
    loadSince: (eventId, afterSeq, limit) => seatChanges.changesSince(eventId, afterSeq, limit),
    currentSeq: (eventId) => inventories.currentSeq(eventId),
    ringSize: settings.streamRingSize,
    catchUpIntervalMs: settings.streamCatchUpMs,
    onRepair: (_eventId, missing) => liveMetrics.repairs.inc(missing),
    onError: (error) => app.log.warn({ err: error }, 'live availability repair failed'),
  });

  app.decorate('booking', { bus, seatChanges, sweeper });
  app.addReadinessCheck({ name: 'database', check: () => deps.database.ping() });
  // Redis away is a note, not DOWN: watchers still get every change, through the database.
  app.addReadinessCheck({ name: 'seat-change-bus', check: async () => bus.degraded?.() });
  let streams: { closeAll(): void } | undefined;
  registerRoutes(app, (routes) => {
    const availabilityViews = createAvailabilityViews(inventories);
    registerAvailabilityRoutes(routes, inventory, availabilityViews, clock);
    streams = registerAvailabilityStreamRoute(routes, {
      hub,
      ensureInventory: (eventId, caller) => inventory.ensure(eventId, undefined, caller),
      snapshots: createSnapshotCache((eventId) => availabilityViews.current(eventId, clock()), clock, settings.streamSnapshotMaxAgeMs),
      loadSince: (eventId, afterSeq, limit) => seatChanges.changesSince(eventId, afterSeq, limit),
      currentSeq: (eventId) => inventories.currentSeq(eventId),
      metrics: liveMetrics,
      heartbeatMs: settings.streamHeartbeatMs,
      maxBufferedBytes: settings.streamMaxBufferedBytes,
      maxReplay: settings.streamMaxReplay,
      clock,
    });
    registerHoldRoutes(routes, holds, deps.verifier, idempotent, clock);
    registerOrderRoutes(routes, orders, deps.verifier, idempotent);
    registerTicketRoutes(routes, orders, deps.verifier);
    registerSalesRoutes(
      routes,
      createSalesSummaries({ inventory, figures: (eventId) => salesFiguresOf(db, eventId), seats: (eventId, now) => inventories.snapshot(eventId, now), clock }),
      deps.verifier,
    );
    registerCatalogueMessageRoutes(
      routes,
      createCatalogueMessageHandler({ messages: catalogueMessages, catalogue: deps.catalogue, inventory, orders, clock }),
      deps.serviceToken,
    );
  });
  app.addHook('onReady', async () => sweeper.start());
  // Streams end before the server closes, so browsers reconnect (to another instance) at once.
  app.addHook('preClose', async () => streams?.closeAll());
  app.addHook('onClose', async () => {
    hub.close();
    await sweeper.stop();
    await bus.close();
  });
  return app;
}

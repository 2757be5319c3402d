/**
 * Payments behind one interface. The built-in test provider answers to magic tokens; a real
 * provider (Stripe: a PaymentIntent confirmed with the token as payment method, the attempt's
 * order id — `reference` — as Stripe's idempotency key, `refunds.create` for a refund) implements the same interface in
 * its own file, selected by `PAYMENT_PROVIDER` in config.ts and wired in main.ts.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PaymentDeclined } from './booking-errors.js';

export interface ChargeRequest {
  amountCents: number;
  currency: string;
  /** The client's payment token (a card token, a wallet token). */
  token: string;
  /** Our reference, unique per attempt to buy a hold; a real provider uses it as idempotency key. */
  reference: string;
}

export interface PaymentProvider {
  /** Charges, resolving the provider's payment id; rejects with PaymentDeclined; honours `signal`. */
  charge(request: ChargeRequest, signal: AbortSignal): Promise<{ paymentId: string }>;
  /** Refunds a payment in full; refunding one twice is harmless. */
  refund(paymentId: string, amountCents: number): Promise<void>;
  /**
   * The payment made for `reference`, if any (Stripe: a PaymentIntent searched by its metadata):
   * how an attempt abandoned mid-charge (a crash, a timeout) is found out. A provider that cannot
   * tell leaves those to be reconciled by hand (they are logged).
   */
  findCharge?(reference: string): Promise<{ paymentId: string } | undefined>;
}

/** Waits `ms` (forever when undefined); an abort rejects with the signal's reason, as a provider would. */
function wait(ms: number | undefined, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    });
  });
}

/**
 * Where the test provider keeps its charges, by reference: what a real provider keeps on its side.
 * Shared by every booking instance (db/test-provider-charges.repository.ts), as a real provider's
 * API answers every caller alike — in one process's memory, a charge made on one instance was
 * unknown to the reconciler of another, and a late charge there was never refunded.
 */
export interface ChargeLedger {
  /**
   * Writes the charge down; resolves to the payment of the reference — the first one's, should it
   * be charged again (a real provider answers a repeated idempotency key with its first payment).
   */
  record(reference: string, paymentId: string): Promise<string>;
  find(reference: string): Promise<string | undefined>;
  /** Forgets the charges made before `cutoff` (a ledger that can tell when they were made). */
  forgetOlderThan?(cutoff: number): Promise<void>;
}

/**
 * A provider keeping its own record of charges (the test provider's ledger), which the service
 * has it forget once no abandoned attempt can ask about them (PAYMENT_LATE_CHARGE_WINDOW_MS).
 */
export interface ForgetsOldCharges {
  forgetChargesOlderThan(cutoff: number): Promise<void>;
}

/** A ledger in this process's memory: for one instance alone (unit tests, the bench's peer). */
export function createInMemoryChargeLedger(): ChargeLedger {
  const charges = new Map<string, string>();
  return {
    async record(reference, paymentId) {
      const first = charges.get(reference) ?? paymentId;
      charges.set(reference, first);
      return first;
    },
    async find(reference) {
      return charges.get(reference);
    },
  };
}

export interface TestPaymentProviderOptions {
  /** When `tok_slow`'s charge goes through, after the payment has timed out. */
  slowMs?: number;
  /** Where its charges are kept: in memory unless given (the service gives its database's). */
  ledger?: ChargeLedger;
}

/** Payments made with `tok_refund_fails` carry it in their id: the test provider refuses to refund them. */
const REFUND_FAILS_PREFIX = 'pay_test_refund_fails_';

/**
 * `tok_ok` succeeds, `tok_declined` is declined, `tok_slow` never answers (the payment times out)
 * but charges after `slowMs`, like a provider that stalls mid-charge; `tok_refund_fails` charges,
 * but its refunds fail (as Stripe's test card 4000 0000 0000 5126 does): a cancelled order stays
 * with its refund pending, retried in the background; any other token is declined. Charges can
 * be looked up by reference, in its ledger; refunds are recorded (in memory) so that tests can see them.
 */
export function createTestPaymentProvider(options: TestPaymentProviderOptions = {}) {
  const slowMs = options.slowMs ?? 60_000;
  const refunds = new Map<string, number>();
  /** Every refund taken, in order, repeats included: what `refunds` (one entry a payment) cannot show. */
  const refundLog: Array<{ paymentId: string; amountCents: number }> = [];
  /** Charges made, by reference (tok_slow's too, once its time is up: it charges late). */
  const charges = options.ledger ?? createInMemoryChargeLedger();
  /** Set by `holdRefunds`: refunds wait for `released`, and say when one starts waiting. */
  let latch: { released: Promise<void>; arrived: () => void } | undefined;
  const provider: Required<PaymentProvider> &
    ForgetsOldCharges & {
    refunds: ReadonlyMap<string, number>;
    refundLog: ReadonlyArray<{ paymentId: string; amountCents: number }>;
    refundsFailing: boolean;
    refundsHanging: boolean;
    chargeDelayMs: number;
    refundDelayMs: number;
    holdRefunds(): { reached: Promise<void>; release(): void };
  } = {
    refunds,
    refundLog,
    /** Simulates the provider's refunds being down (for tests of the refunds owed). */
    refundsFailing: false,
    /** Simulates a provider that stops answering refunds (for tests of the refund timeout). */
    refundsHanging: false,
    /** How long every charge takes (tests use it to make payments overlap). */
    chargeDelayMs: 0,
    /** How long every refund takes, as a real provider's round trip does (tests of what races it). */
    refundDelayMs: 0,
    /**
     * Holds every refund until `release` (tests of what happens while one is under way, without
     * guessing how long it takes); `reached` resolves when the first refund is waiting.
     */
    holdRefunds() {
      let release!: () => void;
      let arrived!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      latch = { released, arrived };
      return {
        reached,
        release() {
          latch = undefined;
          release();
        },
      };
    },
    async charge(request, signal) {
      if (request.token === 'tok_slow') {
        // Like a real provider that stops answering: the charge still goes through, late.
        const paymentId = `pay_test_${randomUUID()}`;
        // A late charge that cannot be written down (the service closed meanwhile) never happened.
        setTimeout(() => void charges.record(request.reference, paymentId).catch(() => undefined), slowMs).unref();
        await wait(undefined, signal); // only the caller's timeout ends it
      }
      if (provider.chargeDelayMs > 0) await wait(provider.chargeDelayMs, signal);
      if (request.token === 'tok_ok' || request.token === 'tok_refund_fails') {
        const paymentId = `${request.token === 'tok_ok' ? 'pay_test_' : REFUND_FAILS_PREFIX}${randomUUID()}`;
        return { paymentId: await charges.record(request.reference, paymentId) };
      }
      if (request.token === 'tok_declined') throw new PaymentDeclined('The card was declined (test token tok_declined); the hold is kept');
      throw new PaymentDeclined(`Unknown test payment token; use tok_ok, tok_declined, tok_slow or tok_refund_fails. The hold is kept`);
    },
    async refund(paymentId, amountCents) {
      // Never settles: only the caller's timeout ends it.
      if (provider.refundsHanging) await new Promise<never>(() => undefined);
      if (provider.refundsFailing) throw new Error('the test provider refuses refunds (refundsFailing)');
      if (paymentId.startsWith(REFUND_FAILS_PREFIX)) throw new Error('the test provider refuses to refund a tok_refund_fails payment');
      if (latch) {
        const { released, arrived } = latch;
        arrived();
        await released;
      }
      if (provider.refundDelayMs > 0) await sleep(provider.refundDelayMs);
      refunds.set(paymentId, amountCents);
      refundLog.push({ paymentId, amountCents });
    },
    async findCharge(reference) {
      const paymentId = await charges.find(reference);
      return paymentId === undefined ? undefined : { paymentId };
    },
    async forgetChargesOlderThan(cutoff) {
      await charges.forgetOlderThan?.(cutoff);
    },
  };
  return provider;
}

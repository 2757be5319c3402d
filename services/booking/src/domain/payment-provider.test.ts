import { describe, expect, it } from 'vitest';
import { createTestPaymentProvider } from './payment-provider.js';

const base = { amountCents: 1000, currency: 'EUR', reference: 'h1' };

describe('the test payment provider', () => {
  it('charges tok_ok and declines tok_declined and unknown tokens', async () => {
    const provider = createTestPaymentProvider();
    const signal = new AbortController().signal;
    expect((await provider.charge({ ...base, token: 'tok_ok' }, signal)).paymentId).toMatch(/^pay_test_/);
    await expect(provider.charge({ ...base, token: 'tok_declined' }, signal)).rejects.toMatchObject({ status: 402 });
    await expect(provider.charge({ ...base, token: 'tok_nope' }, signal)).rejects.toMatchObject({ status: 402 });
  });

  it('lets a slow charge be aborted', async () => {
    const provider = createTestPaymentProvider({ slowMs: 60_000 });
    const controller = new AbortController();
    const charge = provider.charge({ ...base, token: 'tok_slow' }, controller.signal);
    controller.abort(new Error('gave up'));
    await expect(charge).rejects.toThrow('gave up');
  });

  it('records refunds', async () => {
    const provider = createTestPaymentProvider();
    await provider.refund('pay_1', 1000);
    expect(provider.refunds.get('pay_1')).toBe(1000);
  });
});

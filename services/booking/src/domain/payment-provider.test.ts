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

  it('charges tok_refund_fails, then refuses to refund that payment only', async () => {
    const provider = createTestPaymentProvider();
    const signal = new AbortController().signal;
    const { paymentId } = await provider.charge({ ...base, token: 'tok_refund_fails' }, signal);
    await expect(provider.findCharge(base.reference)).resolves.toEqual({ paymentId });
    await expect(provider.refund(paymentId, 1000)).rejects.toThrow(/tok_refund_fails/);
    expect(provider.refunds.has(paymentId)).toBe(false);
    const ok = await provider.charge({ ...base, reference: 'h2', token: 'tok_ok' }, signal);
    await provider.refund(ok.paymentId, 1000);
    expect(provider.refunds.get(ok.paymentId)).toBe(1000);
  });

  it('records refunds', async () => {
    const provider = createTestPaymentProvider();
    await provider.refund('pay_1', 1000);
    expect(provider.refunds.get('pay_1')).toBe(1000);
  });
});

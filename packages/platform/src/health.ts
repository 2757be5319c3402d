/**
 * Liveness (`/health`), start-up (`/started`: migrated, and registered once) and readiness
 * (`/ready`: the service's own dependencies answer now).
 *
 * `/started` is what a container platform should watch before it takes the previous tasks away
 * (the ECS task health check): `/health` answers 200 from the first moment, while the database is
 * still being migrated and before any gateway can find the instance — a rolling deploy then
 * stopped the old tasks with no new one serving. `/ready` would do, but it also follows the
 * database: a database fail-over would mark every task unhealthy, and ECS would replace them all.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import pTimeout from 'p-timeout';

/** A named readiness check: resolves when the dependency answers (optionally with a note), throws otherwise. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void | string>;
  /** Part of start-up too (`/started`): passes once for good — the migrations ran, the instance registered. */
  gatesStart?: boolean;
}

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<{ name: string; ok: boolean; detail?: string }> {
  try {
    const note = await pTimeout(check.check(), { milliseconds: CHECK_TIMEOUT_MS, message: 'timed out' });
    return { name: check.name, ok: true, ...(note ? { detail: note } : {}) };
  } catch (error) {
    return { name: check.name, ok: false, detail: (error as Error).message };
  }
}

/** Runs the checks: 200 when all pass (and the instance is not draining), else 503; each check's state by name. */
async function answerChecks(reply: FastifyReply, checks: ReadinessCheck[], extra: { draining?: boolean } = {}) {
  const results = await Promise.all(checks.map(runCheck));
  const up = !extra.draining && results.every((r) => r.ok);
  return reply.code(up ? 200 : 503).send({
    status: up ? 'UP' : 'DOWN',
    ...extra,
    checks: Object.fromEntries(results.map((r) => [r.name, `${r.ok ? 'UP' : 'DOWN'}${r.detail ? `: ${r.detail}` : ''}`])),
  });
}

export function registerHealth(app: FastifyInstance, checks: () => ReadinessCheck[], isDraining: () => boolean): void {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'UP' }));
  app.get('/started', { schema: { hide: true } }, async (_request, reply) => answerChecks(reply, checks().filter((c) => c.gatesStart)));
  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => answerChecks(reply, checks(), { draining: isDraining() }));
}

/** Liveness (`/health`) and readiness (`/ready`: the service's own dependencies answer). */
import type { FastifyInstance } from 'fastify';

/** A named readiness check: resolves when the dependency answers (optionally with a note), throws otherwise. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void | string>;
}

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<{ name: string; ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const note = await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { name: check.name, ok: true, ...(note ? { detail: note } : {}) };
  } catch (error) {
    return { name: check.name, ok: false, detail: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealth(app: FastifyInstance, checks: () => ReadinessCheck[], isDraining: () => boolean): void {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'UP' }));
  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    const results = await Promise.all(checks().map(runCheck));
    const ready = !isDraining() && results.every((r) => r.ok);
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'UP' : 'DOWN',
      draining: isDraining(),
      checks: Object.fromEntries(results.map((r) => [r.name, `${r.ok ? 'UP' : 'DOWN'}${r.detail ? `: ${r.detail}` : ''}`])),
    });
  });
}

/**
 * A MySQL pool whose connections are checked before use when they have waited in it a while.
 *
 * The server closes a connection silent for DB_IDLE_TIMEOUT_MS (`wait_timeout`); a restart or a
 * failover closes them all. mysql2 drops a connection once it hears it closed — but a request
 * that takes one in the instant between the close and that news runs its first statement on a
 * dead connection, and a healthy database answers it 503. As HikariCP does, a connection idle for
 * `CHECK_AFTER_IDLE_MS` or more is pinged first (one round trip; a busy pool's connections go
 * straight back to work and are not); one that does not answer — with an error, or at all within
 * `CHECK_TIMEOUT_MS` (a link gone dark, a failed-over primary whose address went silent) — is
 * destroyed and the next is taken: a new connection, in the end, whose failure to connect is the
 * caller's error.
 */
import type { Pool, PoolConnection } from 'mysql2';

export const CHECK_AFTER_IDLE_MS = 500;
/** How long a check's ping may take (HikariCP's validationTimeout is 5 s; a ping is one round trip). */
export const CHECK_TIMEOUT_MS = 2_000;

export interface CheckedPool {
  getConnection(callback: (error: NodeJS.ErrnoException | null, connection: PoolConnection) => void): void;
  end(callback: (error: unknown) => void): void;
}

export function checkedPool(pool: Pool, options: { clock?: () => number; checkTimeoutMs?: number } = {}): CheckedPool {
  const clock = options.clock ?? Date.now;
  const checkTimeoutMs = options.checkTimeoutMs ?? CHECK_TIMEOUT_MS;
  return {
    getConnection(callback) {
      const take = () =>
        pool.getConnection((error, connection) => {
          if (error) return callback(error, connection);
          // mysql2 stamps a pooled connection when it is made and each time it is released.
          const lastActive = (connection as PoolConnection & { lastActiveTime?: number }).lastActiveTime ?? 0;
          if (clock() - lastActive < CHECK_AFTER_IDLE_MS) return callback(null, connection);
          let settled = false;
          const dead = () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            connection.destroy();
            take();
          };
          const timer = setTimeout(dead, checkTimeoutMs);
          connection.ping((pingError) => {
            if (pingError) return dead();
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            callback(null, connection);
          });
        });
      take();
    },
    end: (callback) => pool.end(callback),
  };
}

/** A checked connection in mysql2's promise form. */
export function checkedPromiseConnection(pool: CheckedPool) {
  return new Promise<ReturnType<PoolConnection['promise']>>((resolve, reject) =>
    pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection.promise()))),
  );
}

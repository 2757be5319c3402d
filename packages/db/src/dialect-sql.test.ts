import { describe, expect, it } from 'vitest';
import { isContention, isDatabaseUnavailable, isDuplicateKey, isRetryableConflict, sessionSetupSql } from './dialect-sql.js';

describe('dialect differences', () => {
  it('bounds statements and idle connections in each server flavour', () => {
    const maria = '10.11.19-MariaDB-0+deb12u1';
    const statements = (version: string, queryTimeoutMs: number) => sessionSetupSql(version, { queryTimeoutMs, idleTimeoutMs: 0 });
    expect(statements(maria, 1500)).toBe('SET SESSION max_statement_time = 1.500, innodb_lock_wait_timeout = 1, lock_wait_timeout = 1');
    expect(statements('8.4.3', 1500)).toBe('SET SESSION max_execution_time = 1500, innodb_lock_wait_timeout = 1, lock_wait_timeout = 1');
    expect(statements('8.4.3', 2500)).toBe('SET SESSION max_execution_time = 2500, innodb_lock_wait_timeout = 2, lock_wait_timeout = 2');
    expect(statements('8.4.3', 300)).toBe('SET SESSION max_execution_time = 300, innodb_lock_wait_timeout = 1, lock_wait_timeout = 1');
    expect(statements('8.4.3', 0)).toBeUndefined();
    // Whole seconds, strictly below the statement bound (the default 10 s: a 9 s lock wait).
    expect(statements(maria, 10_000)).toBe('SET SESSION max_statement_time = 10.000, innodb_lock_wait_timeout = 9, lock_wait_timeout = 9');
    expect(statements('8.4.3', 3000)).toBe('SET SESSION max_execution_time = 3000, innodb_lock_wait_timeout = 2, lock_wait_timeout = 2');
    // The idle bound: the same words on both, whole seconds, at least 1.
    expect(sessionSetupSql('8.4.3', { queryTimeoutMs: 3000, idleTimeoutMs: 30_000 })).toBe(
      'SET SESSION max_execution_time = 3000, innodb_lock_wait_timeout = 2, lock_wait_timeout = 2, wait_timeout = 30',
    );
    expect(sessionSetupSql(maria, { queryTimeoutMs: 0, idleTimeoutMs: 1_500 })).toBe('SET SESSION wait_timeout = 2');
    expect(sessionSetupSql(maria, { queryTimeoutMs: 0, idleTimeoutMs: 10 })).toBe('SET SESSION wait_timeout = 1');
  });

  it('recognises duplicate keys on both dialects', () => {
    expect(isDuplicateKey({ code: 'ER_DUP_ENTRY', errno: 1062 })).toBe(true);
    expect(isDuplicateKey({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })).toBe(true);
    expect(isDuplicateKey({ code: 'ER_PARSE_ERROR' })).toBe(false);
  });

  it('tells an unreachable database from a bad query', () => {
    expect(isDatabaseUnavailable({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isDatabaseUnavailable({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true })).toBe(true);
    expect(isDatabaseUnavailable({ errno: 1969, sqlState: '70100' })).toBe(true);
    expect(isDatabaseUnavailable({ code: 'ER_NO_SUCH_TABLE' })).toBe(false);
  });

  it('tells locks held by others (contention) from a database that cannot answer', () => {
    for (const lock of [{ code: 'ER_LOCK_DEADLOCK', errno: 1213 }, { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }, { code: 'SQLITE_BUSY' }]) {
      expect(isContention(lock)).toBe(true);
      expect(isDatabaseUnavailable(lock)).toBe(false);
    }
    expect(isContention({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isContention({ errno: 1969 })).toBe(false);
  });

  it('runs again only a transaction aborted at once (a deadlock, a stale snapshot), not one that waited out a lock', () => {
    expect(isRetryableConflict({ code: 'ER_LOCK_DEADLOCK', errno: 1213 })).toBe(true);
    expect(isRetryableConflict({ code: 'SQLITE_BUSY_SNAPSHOT' })).toBe(true);
    expect(isContention({ code: 'SQLITE_BUSY_SNAPSHOT' })).toBe(true);
    // SQLite's busy has waited busy_timeout already; InnoDB's lock wait has waited its timeout.
    expect(isRetryableConflict({ code: 'SQLITE_BUSY' })).toBe(false);
    expect(isRetryableConflict({ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 })).toBe(false);
  });
});

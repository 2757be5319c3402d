import { describe, expect, it } from 'vitest';
import { isContention, isDatabaseUnavailable, isDuplicateKey, statementTimeoutSql } from './dialect-sql.js';

describe('dialect differences', () => {
  it('bounds statements in each server flavour', () => {
    expect(statementTimeoutSql('10.11.19-MariaDB-0+deb12u1', 1500)).toBe('SET SESSION max_statement_time = 1.500, innodb_lock_wait_timeout = 1');
    expect(statementTimeoutSql('8.4.3', 1500)).toBe('SET SESSION max_execution_time = 1500, innodb_lock_wait_timeout = 1');
    expect(statementTimeoutSql('8.4.3', 2500)).toBe('SET SESSION max_execution_time = 2500, innodb_lock_wait_timeout = 2');
    expect(statementTimeoutSql('8.4.3', 300)).toBe('SET SESSION max_execution_time = 300, innodb_lock_wait_timeout = 1');
    expect(statementTimeoutSql('8.4.3', 0)).toBeUndefined();
    // Whole seconds, strictly below the statement bound (the default 10 s: a 9 s lock wait).
    expect(statementTimeoutSql('10.11.19-MariaDB-0+deb12u1', 10_000)).toBe('SET SESSION max_statement_time = 10.000, innodb_lock_wait_timeout = 9');
    expect(statementTimeoutSql('8.4.3', 3000)).toBe('SET SESSION max_execution_time = 3000, innodb_lock_wait_timeout = 2');
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
});

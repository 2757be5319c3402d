import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigSchema, checkAuthConfig, ConfigError, env, loadConfig, redactConfig, redisUrlWithPassword } from './config.js';

const schema = baseConfigSchema.extend({ PORT: env.port(8080), DB_PASSWORD: z.string().optional() });

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig(schema, {});
    expect(config.PORT).toBe(8080);
    expect(config.EUREKA_RENEW_SECONDS).toBe(30);
    expect(config.EUREKA_URL).toEqual([]);
  });

  it('lists every bad key at once', () => {
    try {
      loadConfig(schema, { PORT: 'eighty', LOG_LEVEL: 'loud', EUREKA_RENEW_SECONDS: '0' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.join('\n');
      expect(issues).toMatch(/^PORT:/m);
      expect(issues).toMatch(/^LOG_LEVEL:/m);
      expect(issues).toMatch(/^EUREKA_RENEW_SECONDS:/m);
    }
  });

  it('reads a known key from its _FILE and ignores unknown _FILE keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    writeFileSync(join(dir, 'pw'), 's3cret\n');
    const config = loadConfig(schema, { DB_PASSWORD_FILE: join(dir, 'pw'), SOME_TOOL_FILE: '/nope' });
    expect(config.DB_PASSWORD).toBe('s3cret');
  });

  it('splits comma lists', () => {
    const config = loadConfig(schema, { EUREKA_URL: 'http://a:8761/eureka, http://b:8761/eureka' });
    expect(config.EUREKA_URL).toEqual(['http://a:8761/eureka', 'http://b:8761/eureka']);
  });
});

describe('redisUrlWithPassword', () => {
  it('puts REDIS_PASSWORD into the URL of its user, so that the client reads it back whole', () => {
    const password = 'p@ss/w:rd?#%,x';
    const url = new URL(redisUrlWithPassword('rediss://booking@cache.example:6379', password));
    expect(url.username).toBe('booking');
    expect(decodeURIComponent(url.password)).toBe(password);
    expect(url.host).toBe('cache.example:6379');
    expect(redisUrlWithPassword('redis://127.0.0.1:6379', undefined)).toBe('redis://127.0.0.1:6379');
  });
});

describe('redactConfig', () => {
  it('hides secrets and passwords inside URLs', () => {
    const redacted = redactConfig({
      JWT_SECRET: 'abcdefabcdefabcdef',
      DB_PASSWORD: 'pw',
      DATABASE_URL: 'mysql://app:hunter2@db:3306/x',
      PORT: 8080,
    });
    expect(JSON.stringify(redacted)).not.toMatch(/hunter2|abcdefabcdef|"pw"/);
    expect(redacted['PORT']).toBe(8080);
    expect(redacted['DATABASE_URL']).toBe('mysql://app:***@db:3306/x');
  });

  it('masks the credentials of a URL that does not parse, and a user name standing alone', () => {
    const redacted = redactConfig({
      DATABASE_URL: 'mysql://root:Pa/ss#w?rd@mysql:3306/stream_seat_bookings',
      REDIS_URL: 'redis://tokenvalue123@cache:6379',
      PLAIN: 'not a url, but has an @ sign',
      // Parses, as host app, port 2024 and a path: the password is not where the parser looked.
      PORT_LIKE: 'mysql://app:2024/Secret@db:3306/stream',
      // A user name with an '@' (Azure's user@server) in front of such a password: parses with a user name.
      USER_AT: 'mysql://myadmin@srv:2024/Secret@db/x',
    });
    expect(JSON.stringify(redacted)).not.toMatch(/Pa\/ss|tokenvalue123|Secret/);
    expect(redacted['PORT_LIKE']).toBe('mysql://***@db:3306/stream');
    expect(redacted['USER_AT']).toBe('mysql://***@db/x');
    expect(redacted['DATABASE_URL']).toBe('mysql://***@mysql:3306/stream_seat_bookings');
    expect(redacted['REDIS_URL']).toBe('redis://***@cache:6379');
    expect(redacted['PLAIN']).toBe('not a url, but has an @ sign');
  });

  it('masks a token whose backslash an http URL reads as a path, and keeps the host of a URL with an @ in its query', () => {
    const redacted = redactConfig({
      EUREKA_URL: 'http://eureka:8761\\tok@eureka:8761/eureka',
      HOSTY: 'https://tok\\en@eureka/eureka',
      QUERY_AT: 'mysql://app:s3cret@db:3306/x?ssl=a@b',
      V6: 'mysql://app:s3cret@[::1]:3306/x',
    });
    expect(JSON.stringify(redacted)).not.toMatch(/tok|s3cret/);
    expect(redacted['EUREKA_URL']).toBe('http://***@eureka:8761/eureka');
    expect(redacted['HOSTY']).toBe('https://***@eureka/eureka');
    expect(redacted['QUERY_AT']).toBe('mysql://app:***@db:3306/x?ssl=a@b');
    expect(redacted['V6']).toBe('mysql://app:***@[::1]:3306/x');
  });

  it('masks query parameters named like a secret, with or without credentials before the host', () => {
    const redacted = redactConfig({
      REDIS_URL: 'redis://cache:6379/0?password=hunter2&db=0',
      WITH_USER: 'redis://app@cache:6379?authToken=hunter3',
      PLAIN_QUERY: 'https://id.example.com/jwks?tenant=one',
    });
    expect(JSON.stringify(redacted)).not.toMatch(/hunter/);
    expect(redacted['REDIS_URL']).toBe('redis://cache:6379/0?password=***&db=0');
    expect(redacted['WITH_USER']).toBe('redis://***@cache:6379?authToken=***');
    expect(redacted['PLAIN_QUERY']).toBe('https://id.example.com/jwks?tenant=one');
  });

  it('refuses a registry URL list entry that is not an http(s) URL by its position, never printing it (a comma split a password)', () => {
    let error: unknown;
    try {
      loadConfig(schema, { EUREKA_URL: 'http://eureka:S3CRET,PART2@a:8761/eureka,http://b:8761/eureka' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('EUREKA_URL: entry 2 of 3 is not an http(s) URL');
    expect(message).toContain('%2C');
    expect(message).not.toMatch(/S3CRET|PART2/);
    // The first piece, `http://eureka:S3CRET`, parses (a port of "S3CRET" does not): refused too.
    expect(message).toContain('EUREKA_URL: entry 1 of 3');
    // Percent-encoded, the same password is one entry, and masked when printed.
    const config = loadConfig(schema, { EUREKA_URL: 'http://eureka:S3CRET%2CPART2@a:8761/eureka,http://b:8761/eureka' });
    expect(config.EUREKA_URL).toHaveLength(2);
    expect(JSON.stringify(redactConfig(config))).not.toMatch(/S3CRET|PART2/);
  });

  it('takes bare host names in a list that allows them, and still refuses a piece of a split password', () => {
    const peers = z.object({ REGISTRY_PEERS: env.urlList({ bareHosts: true }) });
    expect(loadConfig(peers, { REGISTRY_PEERS: 'eureka-b.local, 10.0.1.7:8761,http://c:8761/eureka' }).REGISTRY_PEERS).toEqual([
      'eureka-b.local',
      '10.0.1.7:8761',
      'http://c:8761/eureka',
    ]);
    expect(() => loadConfig(peers, { REGISTRY_PEERS: 'http://peer:S3CRET,PART2@b:8761/eureka' })).toThrow(/REGISTRY_PEERS: entry 1 of 2 .*\n.*REGISTRY_PEERS: entry 2 of 2/);
    expect(loadConfig(peers, { REGISTRY_PEERS: '[fd00::1]:8761' }).REGISTRY_PEERS).toEqual(['[fd00::1]:8761']);
    // A comma in a query split it: the rest looked like a host. Registry URLs carry no query.
    let error: unknown;
    try {
      loadConfig(peers, { REGISTRY_PEERS: 'http://peer:8761/eureka?token=S3CRET,PART2' });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toContain('REGISTRY_PEERS: entry 1 of 2 is not an http(s) URL without query');
    expect((error as Error).message).not.toMatch(/S3CRET|PART2/);
  });

  it('refuses a REDIS_URL whose password the parser would misread, without repeating it', () => {
    const redis = z.object({ REDIS_URL: env.redisUrl() });
    expect(loadConfig(redis, {}).REDIS_URL).toBeUndefined();
    expect(loadConfig(redis, { REDIS_URL: '' }).REDIS_URL).toBeUndefined();
    expect(loadConfig(redis, { REDIS_URL: 'rediss://default:S3CRET%2Fx@cache:6379/0' }).REDIS_URL).toBe('rediss://default:S3CRET%2Fx@cache:6379/0');
    for (const bad of ['redis://default:S3CRET/x@cache:6379', 'redis://default:S3CRET#x@cache:6379', 'cache:6379', 'http://cache:6379']) {
      expect(() => loadConfig(redis, { REDIS_URL: bad }), bad).toThrow(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
      try {
        loadConfig(redis, { REDIS_URL: bad });
      } catch (error) {
        expect((error as Error).message).not.toContain('S3CRET');
      }
    }
  });

  it('masks credentials in lists of URLs too', () => {
    const config = loadConfig(schema, { EUREKA_URL: 'http://eureka:S3CRET-token@a:8761/eureka,http://b:8761/eureka' });
    const redacted = JSON.stringify(redactConfig(config));
    expect(redacted).not.toContain('S3CRET');
    expect(redacted).toContain('http://eureka:***@a:8761/eureka');
  });
});

describe('checkAuthConfig', () => {
  const schema = baseConfigSchema.superRefine(checkAuthConfig);

  it('needs the key set and the issuer with AUTH_MODE=jwks, and the signing key with dev, each named as a configuration error', () => {
    let error: unknown;
    try {
      loadConfig(schema, { AUTH_MODE: 'jwks' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/JWT_JWKS_URL: required with AUTH_MODE=jwks/);
    expect((error as ConfigError).message).toMatch(/JWT_ISSUER: required with AUTH_MODE=jwks/);
    expect(loadConfig(schema, { AUTH_MODE: 'jwks', JWT_JWKS_URL: 'https://id.test/jwks', JWT_ISSUER: 'https://id.test/' }).JWT_ISSUER).toBe('https://id.test/');
    // The local mode needs neither, but its signing key.
    expect(() => loadConfig(schema, {})).toThrow(/JWT_SECRET: required with AUTH_MODE=dev/);
    expect(loadConfig(schema, { JWT_SECRET: 'x'.repeat(32) }).AUTH_MODE).toBe('dev');
  });
});

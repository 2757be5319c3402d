/**
 * Migration 003 (the folded search text) on a database with events in it: it fills them, and it
 * runs again after a start that stopped half-way (MySQL commits the ALTER on its own); 007 indexes
 * the Idempotency-Keys by age, and runs again too.
 */
import { indexExists, startDatabase, testDialects } from '@stream-seat/db';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventMigrations } from '../src/db/migrations/index.js';
import { createDraft, createEventTestApp, createVenue, type EventTestApp, inDays, smallLayout } from './event-test-app.js';

describe.each(testDialects())('event migrations on %s', (dialect) => {
  let t: EventTestApp;
  beforeAll(async () => {
    t = await createEventTestApp(dialect);
  });
  afterAll(() => t.close());

  const search = async (q: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/events?q=${encodeURIComponent(q)}`, headers: await t.auth('olga') });
    return (res.json() as { items: Array<{ name: string }> }).items.map((e) => e.name);
  };

  it('fills the search text of existing events, and runs again after a start that stopped during the fill', async () => {
    const venueId = await createVenue(t, 'olga', { ...smallLayout('Halle'), city: 'Zürich' });
    await createDraft(t, 'olga', venueId, { name: 'Été Gala', startsAt: inDays(3) });
    await createDraft(t, 'olga', venueId, { name: 'Winter Gala', startsAt: inDays(4) });
    // As before 003 finished: the column there (its ALTER committed), empty, the migration unrecorded.
    await t.database.db.updateTable('events').set({ search_text: null }).execute();
    const after003 = ['003-event-search-text', '004-event-cancelled-as-draft', '005-exact-text', '006-venue-seatmap-gzip', '007-idempotency-keys-created'];
    await sql`DELETE FROM kysely_migration WHERE name IN (${sql.join(after003)})`.execute(t.database.db);

    // 004 to 007 run again too: 004's and 006's columns and 007's index exist already, which they find and keep; 005 finds the tables converted.
    expect(await startDatabase(t.database, eventMigrations(dialect))).toEqual(after003);
    const rows = await t.database.db.selectFrom('events').select(['name', 'search_text']).execute();
    expect(new Map(rows.map((r) => [r.name, r.search_text]))).toEqual(
      new Map([
        ['Winter Gala', 'winter gala\nzurich'],
        ['Été Gala', 'ete gala\nzurich'],
      ]),
    );
    expect(await search('été')).toEqual(['Été Gala']);
  });

  it('still finds an event an older instance wrote without search text, by its name and city as they are', async () => {
    const venueId = await createVenue(t, 'olga', { ...smallLayout('Salle'), city: 'Lyon' });
    const id = await createDraft(t, 'olga', venueId, { name: 'Old Writer Night', startsAt: inDays(5) });
    await t.database.db.updateTable('events').set({ search_text: null }).where('id', '=', id).execute();
    expect(await search('WRITER')).toEqual(['Old Writer Night']);
    expect(await search('lyon')).toEqual(['Old Writer Night']);
  });

  it('indexes the Idempotency-Keys by when they were recorded (their hourly removal reads by it), and runs again', async () => {
    expect(await indexExists(t.database.db as unknown as Kysely<unknown>, dialect, 'idempotency_keys', 'idempotency_keys_created')).toBe(true);
    await sql`DELETE FROM kysely_migration WHERE name = '007-idempotency-keys-created'`.execute(t.database.db);
    expect(await startDatabase(t.database, eventMigrations(dialect))).toEqual(['007-idempotency-keys-created']);
  });
});

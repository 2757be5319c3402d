import { describe, expect, it } from 'vitest';
import { duplicateKey } from './json-duplicate-keys.js';

describe('keys given twice in one JSON object', () => {
  it('names the first one by its place, however deep', () => {
    expect(duplicateKey('{"eventId":"E","quantity":1,"quantity":2}')).toBe('quantity');
    expect(duplicateKey('{"sections":[{"id":"A","rows":[{"label":"A","seats":2,"seats":3}]}]}')).toBe('sections.0.rows.0.seats');
    expect(duplicateKey('{"sections":[{"id":"A"},{"id":"B","name":"x","id":"C"}]}')).toBe('sections.1.id');
    expect(duplicateKey('[{"a":1},[1,2,{"b":[],"b":{}}]]')).toBe('1.2.b');
    expect(duplicateKey('{"prices":{"A":1},"payment":{"token":"t"},"prices":{}}')).toBe('prices');
  });

  it('compares keys as decoded, and reads what is in strings as text', () => {
    expect(duplicateKey('{"a":1,"\\u0061":2}')).toBe('a');
    expect(duplicateKey('{"a\\"b":1,"a\\"b":2}')).toBe('a"b');
    expect(duplicateKey('{"x":"}{\\",\\"x\\":[","y":"\\\\","x":1}')).toBe('x');
    expect(duplicateKey('{"":1,"":2}')).toBe('');
  });

  it('finds none where every object has its own keys', () => {
    for (const text of [
      '{"eventId":"E","quantity":1}',
      '{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}',
      '{"x":"{\\"x\\":1,\\"x\\":2}"}',
      '{"a\\\\":1,"a":2}',
      '[1,"a","a",{"a":null}]',
      '"a"',
      '{}',
      ' { "a" : 1 , "b" : [ ] } ',
    ]) {
      expect(duplicateKey(text), text).toBeUndefined();
    }
  });
});

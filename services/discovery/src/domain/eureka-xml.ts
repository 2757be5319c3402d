/**
 * Eureka's XML codec. Eureka's JSON shape is derived from its XML (`@name` for an attribute, `$`
 * for text), so XML is the JSON document written back with those conventions; the one name that
 * differs is `overriddenstatus`, which Eureka's XML spells in lower case.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { Json } from './eureka-json.js';
import { NOT_XML_TEXT, XML_NAME } from './instance-fields.js';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '$',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  format: false,
});

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '$',
  parseTagValue: false,
  parseAttributeValue: false,
  // An XML body is untrusted input: no entity expansion beyond the five predefined ones.
  processEntities: true,
  htmlEntities: false,
});

/** A request body Eureka would answer with 400: not XML at all. */
export class InvalidXml extends Error {}

/**
 * Most tags and attributes an XML body may have. A registration has about 80 (40 elements) plus
 * its metadata (Spring's: a handful of entries); parsing costs microseconds per tag and more per
 * attribute, so 64 KB of tiny elements or attributes (4,000 or more) held the event loop for
 * 30-230 ms, and every client's renewal waited. Counted before parsing, in one pass.
 */
export const MAX_XML_TAGS = 400;

/**
 * Each `<` is a tag (opening, closing, a comment, a declaration); each `=` may be an attribute
 * (`a="x"`, `a = 'x'`): counting every one errs on the safe side for an `=` in text.
 */
function countTags(body: string): number {
  let count = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 60 /* < */ || c === 61 /* = */) count++;
  }
  return count;
}

/** Well-formed or not, an XML body with more tags than any registration has: refused unparsed. */
export class TooManyXmlTags extends Error {}

const NOT_XML_TEXT_ALL = new RegExp(NOT_XML_TEXT.source, 'gu');

/** `@name` is an attribute, `$` the text, any other key an element: each name must be an XML name. */
const writableName = (key: string) => key === '$' || XML_NAME.test(key.startsWith('@') ? key.slice(1) : key);

/**
 * The document with Eureka's XML names, and nothing the XML writer cannot write. The builder writes
 * a key as an element name verbatim (`<a b>`, `<x<y>`) and escapes text but passes control
 * characters through, so either would make the whole document unreadable to every client. Input is
 * checked (checkMetadataKey, checkXmlText), so this only meets what was stored before those checks
 * or copied from an older peer: an entry with a name that is not an XML name is left out (escaping
 * cannot make a name of it, and throwing would fail every fetch), and a character XML cannot carry
 * is written as U+FFFD. The JSON document is served unchanged.
 */
function renameForXml(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(renameForXml);
  if (typeof value === 'string') return NOT_XML_TEXT.test(value) ? value.replace(NOT_XML_TEXT_ALL, '\uFFFD') : value;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => writableName(k))
      .map(([k, v]) => [k === 'overriddenStatus' ? 'overriddenstatus' : k, renameForXml(v)]),
  );
}

export function toXml(document: Json): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${builder.build(renameForXml(document)) as string}`;
}

/** Parses an XML body into Eureka's JSON shape; the `<?xml?>` declaration is dropped. */
export function parseXml(body: string): Json {
  if (countTags(body) > MAX_XML_TAGS) throw new TooManyXmlTags(`more than ${MAX_XML_TAGS} XML tags and attributes; a registration has about 80`);
  let parsed: Json;
  try {
    parsed = parser.parse(body, true) as Json;
  } catch (error) {
    throw new InvalidXml((error as Error).message);
  }
  delete parsed['?xml'];
  return parsed;
}

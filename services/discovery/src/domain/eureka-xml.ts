/**
 * Eureka's XML codec. Eureka's JSON shape is derived from its XML (`@name` for an attribute, `$`
 * for text), so XML is the JSON document written back with those conventions; the one name that
 * differs is `overriddenstatus`, which Eureka's XML spells in lower case.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { Json } from './eureka-json.js';

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

function renameForXml(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(renameForXml);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k === 'overriddenStatus' ? 'overriddenstatus' : k, renameForXml(v)]),
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

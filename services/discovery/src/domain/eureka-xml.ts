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
  let parsed: Json;
  try {
    parsed = parser.parse(body, true) as Json;
  } catch (error) {
    throw new InvalidXml((error as Error).message);
  }
  delete parsed['?xml'];
  return parsed;
}

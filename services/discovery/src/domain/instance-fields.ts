/**
 * Reading one field of a register body, checked so that whatever the registry keeps it can serve
 * back to every Eureka client: Java clients parse the whole registry in one go, so a single
 * `"port": NaN` or a lease Java cannot hold as an int breaks every client's fetch, not one instance.
 */
import { isIP } from 'node:net';

/** A register body Eureka would refuse; the message is Eureka's own. */
export class InvalidInstance extends Error {}

/** A register body with a field Eureka leaves unchecked but the registry cannot serve; names the field. */
export class InvalidInstanceField extends InvalidInstance {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One value: a string, number or boolean, or Eureka's `{"$": value, "@attr": ...}` (an XML element
 * with attributes). Undefined when absent or blank. A list (a JSON array, or an XML element given
 * twice) is refused: joined with commas it would be a value nobody sent.
 */
export function single(value: unknown, field: string): string | undefined {
  if (Array.isArray(value)) throw new InvalidInstanceField(field, 'must be a single value, not a list');
  if (isObject(value)) return single(value['$'], field);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new InvalidInstanceField(field, 'must be a single value');
  }
  const s = String(value).trim();
  checkXmlText(s, field);
  return s === '' ? undefined : s;
}

/**
 * Characters no XML 1.0 document can carry, escaped or not (NUL, most C0 controls, lone surrogates,
 * U+FFFE/U+FFFF), plus the other control characters (CR, which parsers turn into LF; DEL; C1):
 * everything of Unicode's Cc and Cs but tab and newline. The registry serves every value it keeps
 * as XML to Java clients, so one such value stored would break every client's fetch.
 */
export const NOT_XML_TEXT = /(?![\t\n])[\p{Cc}\p{Cs}\uFFFE\uFFFF]/u;

/** Refuses a value with a character XML cannot carry (see NOT_XML_TEXT). */
export function checkXmlText(value: string, field: string): void {
  if (NOT_XML_TEXT.test(value)) throw new InvalidInstanceField(field, 'must not contain control characters other than tab and newline');
}

/**
 * An element name the XML writer may emit: Eureka writes each metadata entry as an element named by
 * its key (`<zone>a</zone>`), so a key is an XML name. ASCII only and no `:` (a namespace prefix to
 * an XML parser); `@`, `$` and `#` would be read back as attributes or text. Names starting with
 * `xml` are reserved by the XML spec for its own use but well-formed, and every parser (Java's
 * included) reads them, so `xmlConfig` stays a valid key.
 */
export const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/** The longest metadata key (as the longest application name): Spring's are a few dozen characters. */
export const MAX_METADATA_KEY_LENGTH = 200;

/** The longest instance id: the routes that address an instance (`/apps/{app}/{id}`) take no longer. */
export const MAX_INSTANCE_ID_LENGTH = 400;

/**
 * A metadata key (register bodies and `PUT .../metadata?k=v` alike): an XML name (XML_NAME) of at
 * most MAX_METADATA_KEY_LENGTH characters. `__proto__` is refused by name: it cannot be held as data
 * by a plain object built from a query, nor replicated (peers refuse JSON carrying it).
 */
export function checkMetadataKey(key: string, field: string): void {
  if (key === '__proto__') throw new InvalidInstanceField(field, 'is not allowed as a metadata key');
  if (key.length > MAX_METADATA_KEY_LENGTH) throw new InvalidInstanceField(field, `must be at most ${MAX_METADATA_KEY_LENGTH} characters`);
  if (!XML_NAME.test(key)) {
    throw new InvalidInstanceField(field, 'must be a name XML can carry: a letter or _ followed by letters, digits, ., _ or -');
  }
}

/**
 * A metadata map (`instance.metadata`, `dataCenterInfo.metadata`): an object of single values, as
 * strings (numbers and booleans, which JSON clients may send, as their text). Absent or empty
 * (`<metadata/>`, `<metadata class="java.util.Collections$EmptyMap"/>`) is no metadata. A list, or
 * a value with child elements (`{"k": {"x": 1}}`), is refused rather than dropped or stored as "".
 */
export function metadataMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return {};
  if (Array.isArray(value)) throw new InvalidInstanceField(field, 'must be an object of keys and values, not a list');
  if (!isObject(value)) throw new InvalidInstanceField(field, 'must be an object of keys and values');
  const entries: Array<[string, string]> = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === '@class') continue;
    const keyField = `${field}.${key}`;
    checkMetadataKey(key, keyField);
    // An XML element with attributes (`{"$": "a", "@attr": ...}`) is a value; one with children is not.
    if (isObject(v) && Object.keys(v).some((k) => k !== '$' && !k.startsWith('@'))) {
      throw new InvalidInstanceField(keyField, 'must be a single value, not an object');
    }
    entries.push([key, single(v, keyField) ?? '']);
  }
  return Object.fromEntries(entries);
}

/** A field Java reads as a String and the registry keys or routes by (instanceId, hostName, app, ipAddr). */
export function stringField(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const inner = isObject(value) ? value['$'] : value;
  if (typeof inner !== 'string') throw new InvalidInstanceField(field, 'must be a string');
  return single(inner, field);
}

/** A whole number in decimal digits, as Java's int and long parse it (`1e3`, `0x1F`, `-1`, `8080.5` are not); undefined when absent. */
export function wholeNumber(value: unknown, field: string, max: number, min = 0): number | undefined {
  const s = single(value, field);
  if (s === undefined) return undefined;
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n >= min && n <= max)) throw new InvalidInstanceField(field, `must be a whole number from ${min} to ${max}`);
  return n;
}

/** Java's Integer.MAX_VALUE: `countryId` and the lease settings are ints in Eureka's InstanceInfo. */
export const JAVA_INT_MAX = 2_147_483_647;

/**
 * `port` and `securePort`: `{"$": 8080, "@enabled": "true"}` or a bare number (enabled). An enabled
 * port is 1–65535; a disabled one may also be 0, the "no port" some clients send, since nobody
 * connects to it (a disabled secure port is usually 443 or Eureka's 7002 anyway).
 */
export function portField(value: unknown, field: string, fallback: number, enabledByDefault: boolean): { port: number; enabled: boolean } {
  if (value === undefined || value === null) return { port: fallback, enabled: false };
  let enabled = true;
  if (isObject(value)) {
    const flag = single(value['@enabled'], `${field}.@enabled`);
    enabled = flag === undefined ? enabledByDefault : flag === 'true';
  }
  const port = wholeNumber(value, field, 65_535, enabled ? 1 : 0) ?? fallback;
  return { port, enabled };
}

/** A DNS name (RFC 1123 labels; `_` tolerated, as compose service names use it) whose last label is not all digits. */
const HOST_NAME = /^(?=.{1,253}\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*(?=[A-Za-z0-9_-]*[A-Za-z_-])[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/;

/**
 * `ipAddr`: what clients connect to. An IPv4 or IPv6 address, or a host name: our own services
 * advertise `ADVERTISED_HOST` there, which under Docker Compose is a service name (`booking`).
 * Anything else (`not an ip`, `999.1.1.1`) could never be connected to; nor could an IPv6 address
 * with a zone id (`fe80::1%eth0`, which isIP takes): the zone is an interface of the registering
 * host, and a URL cannot carry it — the gateway answered every other request with a 400.
 */
export function checkIpAddr(ipAddr: string, field: string): void {
  if ((isIP(ipAddr) !== 0 && !ipAddr.includes('%')) || HOST_NAME.test(ipAddr)) return;
  throw new InvalidInstanceField(field, 'must be an IPv4 or IPv6 address (or a host name)');
}

/** The longest lease (and renewal interval) the registry keeps: an instance that dies lingers at most this long. */
export const MAX_LEASE_SECONDS = 3_600;

/**
 * A lease setting in whole seconds. Absent or 0 means Eureka's default, as its LeaseInfo.Builder
 * treats a value ≤ 0; above MAX_LEASE_SECONDS it is MAX_LEASE_SECONDS. Fractions are refused: a
 * renewal interval of 0.000001 s would have every instance "expected" to renew 60 million times a
 * minute, holding self-preservation on for good.
 */
export function leaseSeconds(value: unknown, field: string, fallback: number): number {
  const s = single(value, field);
  if (s === undefined) return fallback;
  if (!/^\d+$/.test(s)) throw new InvalidInstanceField(field, 'must be a whole number of seconds');
  const n = Number(s);
  return n === 0 ? fallback : Math.min(n, MAX_LEASE_SECONDS);
}

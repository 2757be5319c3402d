/**
 * Which content coding to answer with, per the client's `Accept-Encoding` (RFC 9110 §12.5.3):
 * q-values, `*`, and an explicit `q=0` that `*` does not overrule; names are case-insensitive.
 * Negotiation by `negotiator` (the jshttp library behind Express).
 */
import Negotiator from 'negotiator';

/**
 * The coding among `offered` (the server's order of preference, which breaks the client's ties)
 * that the client accepts best; identity when it accepts none of them, or sends no header.
 * (Identity even when the client refused it too: an answer it may not decode beats none.)
 */
export function acceptedCoding<C extends string>(acceptEncoding: string | undefined, offered: readonly C[]): C | 'identity' {
  if (!acceptEncoding) return 'identity';
  const [best] = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }).encodings([...offered, 'identity'], { preferred: offered });
  return offered.find((coding) => coding === best) ?? 'identity';
}

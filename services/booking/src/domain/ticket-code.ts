/**
 * Ticket codes: 130 bits from the CSPRNG in Crockford's base32 (26 characters, digits and capital
 * letters without I, L, O and U), fit for a QR code and for a door that types one: read aloud or
 * typed in any case, with O for 0 or I or L for 1, a code still names its ticket
 * (canonicalTicketCode, shared with the web app's door). Codes issued before (24 characters of
 * base64url, 144 bits) stay valid and are matched exactly.
 */
import { randomBytes } from 'node:crypto';
import { TICKET_CODE_LENGTH } from '@stream-seat/contracts/ticket-code';

export { canonicalTicketCode, TICKET_CODE_LENGTH } from '@stream-seat/contracts/ticket-code';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const TICKET_CODE_BITS = TICKET_CODE_LENGTH * 5;

export function newTicketCode(): string {
  // 17 bytes are 136 bits: the first 130 make the 26 characters.
  const bytes = randomBytes(17);
  let code = '';
  for (let i = 0; i < TICKET_CODE_LENGTH; i++) {
    const bit = i * 5;
    const pair = ((bytes[bit >> 3] as number) << 8) | (bytes[(bit >> 3) + 1] ?? 0);
    code += ALPHABET[(pair >> (11 - (bit & 7))) & 31];
  }
  return code;
}


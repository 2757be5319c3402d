/** Ticket codes: 144 bits from the CSPRNG, base64url (24 characters), fit for a QR code. */
import { randomBytes } from 'node:crypto';

export const TICKET_CODE_BYTES = 18;

export function newTicketCode(): string {
  return randomBytes(TICKET_CODE_BYTES).toString('base64url');
}

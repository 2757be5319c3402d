/**
 * How a typed ticket code names its ticket, shared by the booking service (which finds the ticket)
 * and the web app's door (which must not send one ticket twice at once, however it was typed).
 * Codes are 26 characters of Crockford's base32 (digits and capital letters without I, L, O and
 * U); codes issued before (24 characters of base64url) are matched exactly.
 */
export const TICKET_CODE_LENGTH = 26;

/**
 * The code a typed one stands for: a code of this form in any case, with O for 0 and I or L for 1
 * (the letters the alphabet leaves out for being read as digits). Anything else (a code issued
 * before, in base64url) is itself.
 */
export function canonicalTicketCode(typed: string): string {
  if (typed.length !== TICKET_CODE_LENGTH || !/^[0-9A-Za-z]+$/.test(typed)) return typed;
  const code = typed.toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return /^[0-9A-HJKMNP-TV-Z]+$/.test(code) ? code : typed;
}

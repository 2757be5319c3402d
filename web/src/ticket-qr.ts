/**
 * A ticket's code drawn as a QR code for the scanner at the door: the code's text only (the code
 * is the ticket), error correction M (15 % of a scuffed phone screen may be lost), with the quiet
 * zone of four light modules the standard asks for around it. Encoded by uqr; drawn as one SVG
 * path, crisp at any zoom and without inline styles (the CSP refuses them).
 */
import { encode } from 'uqr';
import { svg } from './dom.js';

const QUIET_ZONE = 4;
/** Screen pixels per module: 33 modules (a code of 24 to 26 characters, version 2) make a 132 px code, easily scanned. */
const MODULE_PX = 4;

/** The dark modules of `text`'s QR code as one path, and the code's size in modules, quiet zone included. */
export function qrPath(text: string): { size: number; d: string } {
  const { data, size } = encode(text, { ecc: 'M', border: QUIET_ZONE });
  const d: string[] = [];
  data.forEach((row, y) => row.forEach((dark, x) => dark && d.push(`M${x} ${y}h1v1h-1z`)));
  return { size, d: d.join('') };
}

export function ticketQr(code: string): SVGSVGElement {
  const { size, d } = qrPath(code);
  return svg(
    'svg',
    { class: 'ticket-qr', viewBox: `0 0 ${size} ${size}`, width: size * MODULE_PX, height: size * MODULE_PX, role: 'img', 'aria-label': `QR code of ticket ${code}`, 'shape-rendering': 'crispEdges' },
    svg('rect', { width: size, height: size, fill: '#fff' }),
    svg('path', { d, fill: '#000' }),
  );
}

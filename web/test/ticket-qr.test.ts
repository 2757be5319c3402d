import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrPath } from '../src/ticket-qr.js';

/** Paints the path's unit squares into an RGBA image, `scale` pixels a module, as a browser would draw it. */
function paint(path: { size: number; d: string }, scale: number): { pixels: Uint8ClampedArray; width: number } {
  const width = path.size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const [, x, y] of path.d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const at = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4;
        pixels.fill(0, at, at + 3);
      }
    }
  }
  return { pixels, width };
}

describe('ticket QR codes', () => {
  // A code as issued now (Crockford base32, which uqr may encode in its alphanumeric mode), one issued before (base64url), and odd ones.
  it.each(['3WTNCBMP5VGJP5JMAYSQY4J566', 'NLeRrhtZfIiNhf7DejfGIRJK', 'a-_0Zz9'.repeat(4), 'x'])('draws a code a scanner reads back as %s', (code) => {
    const path = qrPath(code);
    // Nothing but unit squares: the painter above sees every dark module.
    expect(path.d.replace(/M\d+ \d+h1v1h-1z/g, '')).toBe('');
    const { pixels, width } = paint(path, 4);
    expect(jsQR(pixels, width, width)?.data).toBe(code);
  });

  it('keeps a quiet zone of four light modules around the code', () => {
    const { size, d } = qrPath('NLeRrhtZfIiNhf7DejfGIRJK');
    const positions = [...d.matchAll(/M(\d+) (\d+)/g)].flatMap(([, x, y]) => [Number(x), Number(y)]);
    expect(Math.min(...positions)).toBe(4);
    expect(Math.max(...positions)).toBe(size - 5);
  });
});

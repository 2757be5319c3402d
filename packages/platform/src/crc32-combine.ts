/**
 * The CRC-32 of two byte strings joined, from the CRC of each and the second's length: polynomial
 * arithmetic modulo the CRC's generator (zlib's crc32_combine, after Mark Adler). The part that
 * depends on the length alone (`crc32Shift`) is worked out once per frame, so that extending a
 * client's CRC by a frame it was sent costs one multiplication.
 */
const POLY = 0xedb88320;

/** a·b modulo the generator, both in the CRC's reflected bit order; `a` must not be 0. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the generator, k = 0..31 (x^1 is 1 << 30 in reflected order). */
const X2N: number[] = [0x40000000];
for (let k = 1; k < 32; k++) X2N.push(multModP(X2N[k - 1] as number, X2N[k - 1] as number));

/** x^(8·length) modulo the generator: what appending `length` bytes does to a CRC before them. */
export function crc32Shift(length: number): number {
  let p = 0x80000000; // x^0
  for (let n = length, k = 3; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) p = multModP(X2N[k & 31] as number, p);
  }
  return p;
}

/** The CRC-32 of A followed by B, given crc32(A) and B's CRC-32 and crc32Shift(B's length). */
export function crc32Extend(crcA: number, part: { crc: number; shift: number }): number {
  return (multModP(part.shift, crcA) ^ part.crc) >>> 0;
}

/** The CRC-32 of A followed by B, given crc32(A), crc32(B) and B's length in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return crc32Extend(crcA, { crc: crcB, shift: crc32Shift(lengthB) });
}

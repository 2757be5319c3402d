/**
 * The fan-out benchmark's load generator: thousands of SSE clients on raw TCP sockets, each
 * checking its sequence and recording commit-to-client latency. It shares the machine's two cores
 * with the servers it measures, so it does as little as it can per frame: one reused read buffer
 * for every socket (`onread`), byte scanning for the few fields it needs, no string per chunk, no
 * HTTP client stack. It speaks just enough HTTP/1.1 (a status line, chunked or close-delimited
 * bodies) and measures every path — the peer's too — the same way.
 *
 * With `gzip`, it asks as a browser does (`Accept-Encoding: gzip`) and reads the gzip streams
 * this platform sends: a 10-byte header, then each frame deflated on its own and ended by a sync
 * flush, one HTTP chunk each (gzip-event-stream.ts) — so each chunk inflates on its own.
 */
import { connect, type Socket } from 'node:net';
import { constants, inflateRawSync } from 'node:zlib';

export interface Audience {
  latencies: number[];
  /** Changes a client never got (a seq skipped), and changes it got twice or out of order. */
  readonly gaps: number;
  readonly repeats: number;
  /** Connections the server closed while the audience was listening. */
  readonly disconnects: number;
  /** Clients whose stream came gzip-coded. */
  readonly gzipped: number;
  ready: Promise<void>;
  close(): void;
}

interface Tally {
  latencies: number[];
  gaps: number;
  repeats: number;
  disconnects: number;
  gzipped: number;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const FRAME_END = Buffer.from('\n\n');
const CHANGE = Buffer.from('event: change\n');
const OPENED = [Buffer.from('event: snapshot\n'), Buffer.from('event: hello\n')];
const DATA = Buffer.from('data: ');
const SEQ = Buffer.from('"seq":');
const COMMITTED_AT = Buffer.from('"committedAt":');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startsWith(buf: Buffer, at: number, prefix: Buffer): boolean {
  return buf.length - at >= prefix.length && buf.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}

/** The unsigned integer right after `field` in buf[from, to), or undefined. */
function numberAfter(buf: Buffer, field: Buffer, from: number, to: number): number | undefined {
  const at = buf.indexOf(field, from);
  if (at < 0 || at >= to) return undefined;
  let n = 0;
  let i = at + field.length;
  for (; i < to && buf[i]! >= 48 && buf[i]! <= 57; i++) n = n * 10 + buf[i]! - 48;
  return i > at + field.length ? n : undefined;
}

/**
 * One client's parser: HTTP head, then chunked (or close-delimited) framing, then SSE frames.
 * Bytes that end mid-token are copied aside (the read buffer is shared and reused).
 */
class SseConnection {
  private carry: Buffer | undefined;
  private frame: Buffer | undefined;
  private head = true;
  private chunked = false;
  /** Bytes left in the current chunk; -1 while a size line is expected, -2 while its CRLF is. */
  private chunkLeft = -1;
  private lastSeq: number | undefined;
  /** A gzip body: each chunk is gathered whole, then inflated (the first is the gzip header). */
  private gzip: { parts: Buffer[]; headerSeen: boolean } | undefined;

  constructor(
    private readonly tally: Tally,
    private readonly opened: () => void,
    private readonly failed: (error: Error) => void,
  ) {}

  onBytes(bytes: Buffer): void {
    let buf = bytes;
    if (this.carry) {
      buf = Buffer.concat([this.carry, bytes]);
      this.carry = undefined;
    }
    let pos = 0;
    if (this.head) {
      const end = buf.indexOf(HEAD_END);
      if (end < 0) return void (this.carry = Buffer.from(buf));
      const head = buf.toString('latin1', 0, end).toLowerCase();
      if (!head.startsWith('http/1.1 200')) return this.failed(new Error(`answered ${head.split('\r\n')[0]}`));
      this.chunked = /\r\ntransfer-encoding: *chunked/.test(head);
      if (/\r\ncontent-encoding: *gzip/.test(head)) {
        if (!this.chunked) return this.failed(new Error('a gzip stream without chunks: not read here'));
        this.gzip = { parts: [], headerSeen: false };
        this.tally.gzipped++;
      }
      this.head = false;
      pos = end + HEAD_END.length;
    }
    if (!this.chunked) return this.onBody(buf, pos, buf.length);
    while (pos < buf.length) {
      if (this.chunkLeft === -1) {
        const eol = buf.indexOf(CRLF, pos);
        if (eol < 0) return void (this.carry = Buffer.from(buf.subarray(pos)));
        this.chunkLeft = Number.parseInt(buf.toString('latin1', pos, eol), 16);
        pos = eol + 2;
        if (this.chunkLeft === 0) return; // the last chunk: the server ended the stream
      } else if (this.chunkLeft === -2) {
        if (buf.length - pos < 2) return void (this.carry = Buffer.from(buf.subarray(pos)));
        pos += 2;
        this.chunkLeft = -1;
      } else {
        const take = Math.min(this.chunkLeft, buf.length - pos);
        if (this.gzip) this.gzip.parts.push(Buffer.from(buf.subarray(pos, pos + take)));
        else this.onBody(buf, pos, pos + take);
        pos += take;
        this.chunkLeft -= take;
        if (this.chunkLeft === 0) {
          this.chunkLeft = -2;
          if (this.gzip) this.onGzipChunk();
        }
      }
    }
  }

  /** One whole chunk of a gzip body: the header, or one frame's deflated bytes. */
  private onGzipChunk(): void {
    const gzip = this.gzip as { parts: Buffer[]; headerSeen: boolean };
    const chunk = gzip.parts.length === 1 ? (gzip.parts[0] as Buffer) : Buffer.concat(gzip.parts);
    gzip.parts = [];
    if (!gzip.headerSeen) {
      if (chunk[0] !== 0x1f || chunk[1] !== 0x8b) return this.failed(new Error('no gzip header'));
      gzip.headerSeen = true;
      return;
    }
    const text = inflateRawSync(chunk, { finishFlush: constants.Z_SYNC_FLUSH });
    this.onBody(text, 0, text.length);
  }

  /** SSE text in buf[from, to): complete frames are handled, a partial one is kept. */
  private onBody(bytes: Buffer, from: number, to: number): void {
    let buf = bytes;
    let pos = from;
    let end = to;
    if (this.frame) {
      buf = Buffer.concat([this.frame, bytes.subarray(from, to)]);
      this.frame = undefined;
      pos = 0;
      end = buf.length;
    }
    while (pos < end) {
      const frameEnd = buf.indexOf(FRAME_END, pos);
      if (frameEnd < 0 || frameEnd >= end) return void (this.frame = Buffer.from(buf.subarray(pos, end)));
      this.onFrame(buf, pos, frameEnd);
      pos = frameEnd + FRAME_END.length;
    }
  }

  private onFrame(buf: Buffer, from: number, to: number): void {
    if (startsWith(buf, from, CHANGE)) {
      const seq = numberAfter(buf, SEQ, from, to) ?? Number.NaN;
      const committedAt = numberAfter(buf, COMMITTED_AT, from, to);
      if (committedAt) this.tally.latencies.push(Date.now() - committedAt);
      const last = this.lastSeq;
      if (last !== undefined && seq <= last) this.tally.repeats++;
      else if (last !== undefined && seq > last + 1) this.tally.gaps += seq - last - 1;
      this.lastSeq = Math.max(seq, last ?? seq);
    } else if (OPENED.some((kind) => startsWith(buf, from, kind))) {
      const data = buf.indexOf(DATA, from);
      // A snapshot comes once per client: parse it in full for its seq.
      if (data >= 0 && data < to) this.lastSeq = (JSON.parse(buf.toString('utf8', data + DATA.length, to)) as { seq?: number }).seq;
      this.opened();
    }
  }
}

/** Opens `count` SSE connections to `url` (http://127.0.0.1:port/path), paced; asking for gzip with `gzip`. */
export async function openAudience(url: string, count: number, options: { gzip?: boolean } = {}): Promise<Audience> {
  const { hostname, port, pathname, search } = new URL(url);
  const coding = options.gzip ? 'Accept-Encoding: gzip, deflate, br, zstd\r\n' : '';
  const request = Buffer.from(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n${coding}\r\n`);
  const tally: Tally = { latencies: [], gaps: 0, repeats: 0, disconnects: 0, gzipped: 0 };
  const sockets: Socket[] = [];
  const readies: Array<Promise<void>> = [];
  // Every socket reads into this one buffer: each read is parsed before the next one happens.
  const readBuffer = Buffer.alloc(64 * 1024);
  let closing = false;
  for (let i = 0; i < count; i++) {
    readies.push(
      new Promise<void>((resolve, reject) => {
        const fail = (error: Error) => {
          reject(error);
          socket.destroy();
        };
        const parser = new SseConnection(tally, resolve, fail);
        const socket = connect({
          host: hostname,
          port: Number(port),
          onread: {
            buffer: readBuffer,
            callback: (n) => {
              parser.onBytes(readBuffer.subarray(0, n));
              return true;
            },
          },
        });
        socket.setNoDelay(true);
        socket.on('connect', () => socket.write(request));
        socket.on('error', fail);
        socket.on('close', () => {
          if (!closing) tally.disconnects++;
          reject(new Error(`${url}: closed before its first event`));
        });
        sockets.push(socket);
      }),
    );
    if (i % 250 === 249) await sleep(20); // pace the connects
  }
  return {
    latencies: tally.latencies,
    get gaps() {
      return tally.gaps;
    },
    get repeats() {
      return tally.repeats;
    },
    get disconnects() {
      return tally.disconnects;
    },
    get gzipped() {
      return tally.gzipped;
    },
    ready: Promise.all(readies).then(() => undefined),
    close: () => {
      closing = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}

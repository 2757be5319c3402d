/**
 * A video of a QR code for Chromium's fake camera (`--use-file-for-fake-video-capture`): a Y4M file
 * (raw 4:2:0 frames), the code drawn black on white in the middle of each frame. Chromium plays
 * the file in a loop, as if a ticket were held up to the camera for good.
 */
import { writeFileSync } from 'node:fs';
import { encode } from 'uqr';

export function writeQrVideo(path: string, text: string, options: { width?: number; height?: number; modulePx?: number; frames?: number } = {}): void {
  const { width = 640, height = 480, modulePx = 6, frames = 5 } = options;
  const { data, size } = encode(text, { ecc: 'M', border: 4 });
  const luma = Buffer.alloc(width * height, 235);
  const left = Math.floor((width - size * modulePx) / 2);
  const top = Math.floor((height - size * modulePx) / 2);
  data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < modulePx; dy++) luma.fill(16, (top + y * modulePx + dy) * width + left + x * modulePx, (top + y * modulePx + dy) * width + left + (x + 1) * modulePx);
    }),
  );
  // No colour: both chroma planes at their middle value.
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), ...Array.from({ length: frames }, () => frame)]));
}

/**
 * Scans ticket codes with the device's camera (the back one on a phone): frames are read a few
 * times a second and their QR code decoded by jsQR, loaded only when the camera is first used
 * (its chunk stays out of every other page's download). Each ticket held up counts once while it
 * stays in view (scan-debounce.ts).
 */
import { createScanDebounce } from './scan-debounce.js';

/** How often a frame is read: enough for a ticket held up for a moment, little for a phone's battery. */
const FRAME_EVERY_MS = 150;
/** Frames are read at most this wide: a QR code filling a fifth of it still has pixels to spare. */
const MAX_FRAME_WIDTH = 640;

/** What the desk says when the camera cannot be used, by the browser's reason. */
function cameraProblem(error: unknown): Error {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return new Error('The camera may not be used here: allow it in the browser\'s settings, or type the codes.');
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new Error('No camera was found: type the codes, or use a scanner that types them.');
  if (name === 'NotReadableError') return new Error('The camera is in use by another app.');
  return new Error(`The camera could not be started${error instanceof Error && error.message ? ` (${error.message})` : ''}.`);
}

/**
 * Shows the camera in `video` and calls `onCode` with each ticket code scanned; resolves with the
 * function that stops it (and turns the camera off). Rejects with a message for the desk when the
 * camera cannot be used.
 */
export async function startCameraScan(video: HTMLVideoElement, onCode: (code: string) => void): Promise<() => void> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('This browser cannot use a camera here (it needs HTTPS): type the codes.');
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
  } catch (error) {
    throw cameraProblem(error);
  }
  const stopStream = () => {
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  try {
    const { default: jsQR } = await import('jsqr');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    await video.play();
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D canvas');
    const scans = createScanDebounce();
    const timer = setInterval(() => {
      if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) return;
      const scale = Math.min(1, MAX_FRAME_WIDTH / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = scans.seen(jsQR(data, width, height, { inversionAttempts: 'dontInvert' })?.data);
      if (code !== undefined) onCode(code);
    }, FRAME_EVERY_MS);
    return () => {
      clearInterval(timer);
      stopStream();
    };
  } catch (error) {
    stopStream();
    throw cameraProblem(error);
  }
}

/**
 * A camera sees the same ticket in frame after frame: a code counts as one scan while it stays in
 * view, and as a new scan only once it has been out of view for `goneMs` (shown again, it is a
 * second scan: "already checked in"). Codes are counted each on its own, though the camera's
 * decoder reads one code a frame (two tickets in view: neither; camera-scan.ts).
 */
export function createScanDebounce(goneMs = 1_500, clock: () => number = () => performance.now()) {
  /** The codes in view lately, and when each was last seen. */
  const lastSeen = new Map<string, number>();
  return {
    /** A frame's code (or none): the code to check in when it is a new scan, else undefined. */
    seen(code: string | undefined): string | undefined {
      const now = clock();
      for (const [known, at] of lastSeen) if (now - at >= goneMs) lastSeen.delete(known);
      if (code === undefined || code === '') return undefined;
      const fresh = !lastSeen.has(code);
      lastSeen.set(code, now);
      return fresh ? code : undefined;
    },
  };
}

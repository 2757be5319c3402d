/** Reading the web app's seat map in a Playwright page: what part of the map its SVG shows. */
import type { Page } from 'playwright-core';

/** A rectangle: of the page in CSS pixels, or of the map in its own units. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The part of the map the seat map's SVG shows now (its viewBox), in map units. */
export async function viewBox(page: Page): Promise<Box> {
  const [x, y, width, height] = ((await page.getAttribute('svg.seat-map', 'viewBox')) ?? '').split(' ').map(Number);
  return { x: x ?? NaN, y: y ?? NaN, width: width ?? NaN, height: height ?? NaN };
}

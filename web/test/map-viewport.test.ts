import { describe, expect, it } from 'vitest';
import {
  clampView,
  panBy,
  panToInclude,
  screenToMap,
  type ViewBox,
  viewLimits,
  wheelZoomFactor,
  zoomAround,
  zoomCentred,
  zoomKeyAction,
} from '../src/map-viewport.js';

// A venue 1,000 wide and 500 high, from (-100, -50); zoomed in at most to 60 units (six seats) high.
const whole: ViewBox = { x: -100, y: -50, width: 1_000, height: 500 };
const limits = viewLimits(whole, 60);
const view = (x: number, y: number, width: number): ViewBox => ({ x, y, width, height: width / 2 });

describe('the map viewport', () => {
  it('zooms in at most to a few seats across the shorter side, and out no further than the whole venue', () => {
    expect(limits.minWidth).toBe(120);
    expect(zoomCentred(whole, 1_000, limits)).toMatchObject({ width: 120, height: 60 });
    expect(zoomCentred(view(0, 0, 200), 0.001, limits)).toEqual(whole);
    // A small hall shows whole at once: there is no zooming in on it.
    expect(viewLimits({ x: 0, y: 0, width: 80, height: 40 }, 60).minWidth).toBe(80);
  });

  it('keeps the point it zooms around where it was on screen', () => {
    const point = { x: 150, y: 100 };
    const before = view(0, 0, 400);
    const after = zoomAround(before, 2, point, limits);
    expect(after).toEqual(view(75, 50, 200));
    // The same fraction of the view across and down, before and after.
    expect((point.x - after.x) / after.width).toBeCloseTo((point.x - before.x) / before.width);
    expect((point.y - after.y) / after.height).toBeCloseTo((point.y - before.y) / before.height);
    // And back out: where it started.
    expect(zoomAround(after, 0.5, point, limits)).toEqual(before);
  });

  it('stops at the edges of the venue when zooming out near one or panning past it', () => {
    // Zoomed out around a point near the left edge: the view slides right rather than show beyond the venue.
    expect(zoomAround(view(-100, -50, 200), 0.5, { x: -90, y: 0 }, limits)).toEqual(view(-100, -50, 400));
    expect(panBy(view(0, 0, 200), -500, -500, limits)).toEqual(view(-100, -50, 200));
    expect(panBy(view(0, 0, 200), 5_000, 5_000, limits)).toEqual(view(700, 350, 200));
    expect(panBy(view(0, 0, 200), 30, -20, limits)).toEqual(view(30, -20, 200));
  });

  it('keeps the whole venue\'s proportions whatever view it is given', () => {
    expect(clampView({ x: 0, y: 0, width: 300, height: 10 }, limits)).toEqual(view(0, 0, 300));
    expect(clampView({ x: 0, y: 0, width: 5, height: 5 }, limits)).toEqual(view(0, 0, 120));
  });

  it('pans just enough to show a point outside the view, and not at all for one inside', () => {
    const current = view(0, 0, 200);
    expect(panToInclude(current, { x: 100, y: 50 }, 15, limits)).toBe(current);
    // Right of the view: it comes in 15 units from the right edge.
    expect(panToInclude(current, { x: 400, y: 50 }, 15, limits)).toEqual(view(215, 0, 200));
    // Above and left: 15 units inside the top-left corner.
    expect(panToInclude(current, { x: -40, y: -30 }, 15, limits)).toEqual(view(-55, -45, 200));
    // Near the venue's edge the view stops at the edge.
    expect(panToInclude(current, { x: -95, y: 50 }, 15, limits)).toEqual(view(-100, 0, 200));
  });

  it('finds the map point under the pointer, with the map scaled to fit and centred in its box', () => {
    const screen = { left: 10, top: 20, width: 800, height: 600 };
    // 800 px for 400 units: 2 px a unit; the 200-unit height is 400 px, centred: 100 px above and below.
    const shown = view(0, 0, 400);
    expect(screenToMap(shown, screen, { x: 10, y: 120 })).toEqual({ x: 0, y: 0 });
    expect(screenToMap(shown, screen, { x: 410, y: 320 })).toEqual({ x: 200, y: 100 });
  });

  it('zooms in on a wheel turned away from the user and on a pinch, out the other way', () => {
    expect(wheelZoomFactor({ deltaY: -100, deltaMode: 0, ctrlKey: false })).toBeCloseTo(2 ** 0.2);
    expect(wheelZoomFactor({ deltaY: 100, deltaMode: 0, ctrlKey: false })).toBeCloseTo(2 ** -0.2);
    expect(wheelZoomFactor({ deltaY: -3, deltaMode: 1, ctrlKey: false })).toBeCloseTo(2 ** 0.15);
    // A pinch comes in small steps: each counts ten times as much.
    expect(wheelZoomFactor({ deltaY: -10, deltaMode: 0, ctrlKey: true })).toBeCloseTo(2 ** 0.2);
  });

  it('zooms with +, = and -, shows the whole with 0, and leaves Ctrl and Cmd with them to the browser', () => {
    const press = (key: string, modifiers: { ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean } = {}) =>
      zoomKeyAction({ key, ctrlKey: false, metaKey: false, altKey: false, ...modifiers });
    expect(['+', '=', '-', '0', 'ArrowLeft', 'a'].map((key) => press(key))).toEqual(['in', 'in', 'out', 'whole', undefined, undefined]);
    expect([press('+', { ctrlKey: true }), press('-', { metaKey: true }), press('0', { altKey: true })]).toEqual([undefined, undefined, undefined]);
  });
});

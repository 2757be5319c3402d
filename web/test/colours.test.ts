/**
 * The web app's colours against WCAG's contrast minimums, read from styles.css as the browser
 * gets it: text 4.5:1 (1.4.3), seats and swatches that tell something 3:1 against the white map
 * (1.4.11; taken seats are disabled controls, which it exempts). A hostile probe measured the
 * Live badge at 3.8:1 and the third tier at 2.48:1.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../src/styles.css', import.meta.url), 'utf8');

/** A custom property's hex value in `:root`. */
function variable(name: string): string {
  const found = new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, 'i').exec(css)?.[1];
  if (!found) throw new Error(`no --${name} in styles.css`);
  return found;
}

/** The hex value of `property` in the rule whose selector is exactly `selector`. */
function declared(selector: string, property: string): string {
  const rule = css.split('}').find((block) => block.split('{')[0]?.trim() === selector);
  const found = rule && new RegExp(`(?:^|[;{\\s])${property}:\\s*(#[0-9a-f]{6})`, 'i').exec(rule)?.[1];
  if (!found) throw new Error(`no ${property} in ${selector}`);
  return found;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

const contrast = (a: string, b: string) => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
};

describe('colours', () => {
  it('measures contrast as WCAG does', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });

  it('gives every price tier and "held for you" 3:1 against the white map', () => {
    for (const name of ['tier-0', 'tier-1', 'tier-2', 'tier-3', 'tier-4', 'tier-5', 'mine']) {
      expect(contrast(variable(name), '#ffffff'), name).toBeGreaterThanOrEqual(3);
    }
  });

  it('gives text 4.5:1: the Live badge, a checked-in ticket, muted text', () => {
    const badge = ".live-badge[data-live-status='live']";
    expect(contrast(declared(badge, 'color'), declared(badge, 'background'))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(declared('.check-in-result.ok', 'color'), '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrast(variable('muted'), '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });
});

// The colours of a part of the page as a learner sees them: each visible
// text's WCAG contrast ratio to the first opaque background behind it, and
// the luminance of the part's own background (dark mode or not).
import type { Page } from 'playwright-core';

export interface TextContrast {
  /** The element: its tag and classes (`span.key-type`, `th`). */
  name: string;
  /** The name and the start of its text, for a failure message. */
  what: string;
  ratio: number;
}

/** Every visible element under `selector` that holds text of its own, with its contrast ratio (two decimals). */
export function textContrasts(page: Page, selector: string): Promise<{ luminance: number; texts: TextContrast[] }> {
  return page.evaluate((selector) => {
    const rgba = (css: string) => {
      const [r = 0, g = 0, b = 0, a = 1] = (css.match(/[\d.]+/g) ?? []).map(Number);
      return { r, g, b, a };
    };
    const luminance = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    // The first opaque background from the element up (the page's own, at the top).
    const behind = (el: Element) => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c.a > 0) return c;
      }
      return rgba(getComputedStyle(document.documentElement).backgroundColor);
    };
    const root = document.querySelector(selector)!;
    const texts = [...root.querySelectorAll('*')]
      .filter((el) => el.getClientRects().length && [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim()))
      .map((el) => {
        const fg = luminance(rgba(getComputedStyle(el).color));
        const bg = luminance(behind(el));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        const name = el.tagName.toLowerCase() + (el.classList.length ? `.${[...el.classList].join('.')}` : '');
        return { name, what: `${name} “${el.textContent!.trim().slice(0, 40)}”`, ratio: Math.round(ratio * 100) / 100 };
      });
    return { luminance: luminance(behind(root)), texts };
  }, selector);
}

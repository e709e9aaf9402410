// Rendered decks for the UI, made on first request and kept until a deck
// or a file it shows changes. The deck engine (runner/deck) escapes what
// it renders; we only choose where assets are served from.
// Imported up front, not on first use: it then loads alongside Express
// instead of after it, and the first slide is what the learner waits for.
import { renderDeck, type RenderedDeck } from '../deck/render.ts';
import { findStep } from '../steps.ts';

/** Deck assets are served under /slides/ (see app.ts). */
export const assetUrl = (rel: string) => `/slides/${rel.split('/').map(encodeURIComponent).join('/')}`;

export class DeckCache {
  /** Rendered or being rendered: a second request waits for the first render. */
  private decks = new Map<string, Promise<RenderedDeck>>();
  private generation = 0;

  /** The rendered deck of a step, or undefined for an unknown step. */
  async get(stepName: string): Promise<RenderedDeck | undefined> {
    const step = findStep(stepName);
    if (!step) return undefined;
    const cached = this.decks.get(step.name);
    if (cached) return cached;
    const gen = this.generation;
    const rendering = Promise.resolve().then(() => renderDeck(step, { assetUrl }));
    this.decks.set(step.name, rendering);
    rendering.catch(() => {
      if (gen === this.generation) this.decks.delete(step.name);
    });
    return rendering;
  }

  /** Forgets every rendered deck (a deck or a step file changed). */
  invalidate(): void {
    this.generation++;
    this.decks.clear();
  }

  get loaded(): number {
    return this.decks.size;
  }
}

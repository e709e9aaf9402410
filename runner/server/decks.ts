// Rendered decks for the UI, made on first request and kept until a deck
// or a file it shows changes. The deck engine (runner/deck) escapes what
// it renders; we only choose where assets are served from. A deck rendered
// in an earlier run, from the very same files, comes from the deck store.
import type { RenderedDeck } from '../deck/render.ts';
import { findStep } from '../steps.ts';
import { readStoredDeck, sourcesKey, writeStoredDeck } from './deck-store.ts';

/** Deck assets are served under /slides/ (see app.ts). */
export const assetUrl = (rel: string) => `/slides/${rel.split('/').map(encodeURIComponent).join('/')}`;

export class DeckCache {
  /** Rendered or being rendered: a second request waits for the first render. */
  private decks = new Map<string, Promise<RenderedDeck>>();
  private key: Promise<string> | undefined;
  private generation = 0;

  constructor(private readonly useStore = true) {}

  /** The rendered deck of a step, or undefined for an unknown step. */
  async get(stepName: string): Promise<RenderedDeck | undefined> {
    const step = findStep(stepName);
    if (!step) return undefined;
    const cached = this.decks.get(step.name);
    if (cached) return cached;
    const gen = this.generation;
    const rendering = this.load(step.name);
    this.decks.set(step.name, rendering);
    rendering.catch(() => {
      if (gen === this.generation) this.decks.delete(step.name);
    });
    return rendering;
  }

  private async load(step: string): Promise<RenderedDeck> {
    const key = this.useStore ? await (this.key ??= sourcesKey()) : '';
    const stored = this.useStore ? await readStoredDeck(step, key) : undefined;
    if (stored) return stored;
    // Loaded on a miss only: marked and highlight.js are the slow part of a start.
    const { renderDeck } = await import('../deck/render.ts');
    const deck = renderDeck(step, { assetUrl });
    if (this.useStore) void writeStoredDeck(step, key, deck);
    return deck;
  }

  /** Forgets every rendered deck (a deck or a step file changed). */
  invalidate(): void {
    this.generation++;
    this.decks.clear();
    this.key = undefined;
  }
}

// This workshop's pages as a learner reads them: whether one welcomes or
// welcomes back, and the number beside "visit". Pure functions: the checks
// judge what these return.
import { pageText } from 'workshop-runner';

export function saysWelcomeBack(text: string): boolean {
  return /\bwelcome\s+back\b/i.test(text);
}

/** Welcomes as a new visitor: "Welcome", but not "Welcome back". */
export function saysWelcomeNew(text: string): boolean {
  return /\bwelcome\b/i.test(text) && !saysWelcomeBack(text);
}

const month = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
// Dates and times a page may print beside "visit" (e.g. "your first visit was
// on Tue, 25 Nov 2025 10:00:00 GMT"): their digits are not a count.
const dateLike = [
  /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/gi,
  /\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:\s*[ap]\.?m\.?)?/gi,
  /\d{1,4}[/.]\d{1,2}[/.]\d{1,4}/g,
  new RegExp(`(?:\\d{1,2}(?:st|nd|rd|th)?\\s+)?\\b${month}(?:\\s+\\d{1,2}(?:st|nd|rd|th)?\\b)?,?(?:\\s+\\d{4}\\b)?`, 'gi'),
  /\b(?:gmt|utc)\s*[+-]?\d{0,4}/gi,
];

const WINDOW = 40;

export interface VisitCount {
  /** Numbers near a "visit" word, nearest first. */
  numbers: number[];
  /** The text around the first "visit" word, to quote back to the learner. */
  snippet: string;
  /** False when the page never says "visit". */
  mentionsVisit: boolean;
}

/**
 * The numbers a page shows beside the word "visit" ("Visits: 3", "You have
 * visited this page 3 times", "3rd visit"), nearest first.
 */
export function visitCount(html: string): VisitCount {
  const text = pageText(html);
  let cleaned = text;
  for (const re of dateLike) cleaned = cleaned.replace(re, (m) => ' '.repeat(m.length));
  const words = [...cleaned.matchAll(/visit/gi)].map((m) => m.index);
  const found: { n: number; distance: number }[] = [];
  for (const m of cleaned.matchAll(/(?<!\d)\d+(?!\d)/g)) {
    const n = Number(m[0]);
    if (n > 1e6) continue; // a timestamp, not a count
    const start = m.index;
    const end = start + m[0].length;
    const distance = Math.min(...words.map((w) => (w >= end ? w - end : Math.max(0, start - (w + 5)))));
    if (distance <= WINDOW) found.push({ n, distance });
  }
  found.sort((a, b) => a.distance - b.distance);
  const first = words[0];
  const snippet =
    first === undefined ? text.slice(0, 120) : text.slice(Math.max(0, first - 50), first + 60).trim();
  return { numbers: [...new Set(found.map((f) => f.n))], snippet, mentionsVisit: first !== undefined };
}

// Syntax highlighting on the server, with highlight.js.
//
// Only the languages the decks show are registered (the full bundle costs
// ~100 ms to load, see the deck bench). A file is highlighted whole, then
// cut into lines, so an excerpt that starts inside a comment or string is
// still coloured right. Results are cached by content: a changed file is
// highlighted again, an unchanged one costs a map lookup.
import hljs from 'highlight.js/lib/core';
import javascript from 'highlight.js/lib/languages/javascript';
import typescript from 'highlight.js/lib/languages/typescript';
import json from 'highlight.js/lib/languages/json';
import css from 'highlight.js/lib/languages/css';
import xml from 'highlight.js/lib/languages/xml';
import bash from 'highlight.js/lib/languages/bash';
import http from 'highlight.js/lib/languages/http';
import type { HLJSApi, Language } from 'highlight.js';

// highlight.js has no pug; this covers what the workshop's views use.
function pug(hl: HLJSApi): Language {
  const interpolation = { scope: 'subst', begin: /[#!]\{/, end: /\}/, subLanguage: 'javascript' };
  return {
    name: 'pug',
    aliases: ['jade'],
    contains: [
      { scope: 'comment', begin: /^\s*\/\/.*$/ },
      {
        scope: 'keyword',
        begin: /^\s*(?:extends|block|include|mixin|doctype|if|else if|else|unless|each|for|while|case|when|default|append|prepend)\b/,
      },
      {
        // Attributes: `link(rel='stylesheet', href='/x.css')`.
        begin: /\(/,
        end: /\)/,
        contains: [{ scope: 'attr', begin: /[\w:@-]+(?==)/ }, hl.APOS_STRING_MODE, hl.QUOTE_STRING_MODE],
      },
      { scope: 'selector-tag', begin: /^\s*[a-z][\w-]*/ },
      { scope: 'selector-class', begin: /\.[\w-]+/ },
      interpolation,
    ],
  };
}

hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('json', json);
hljs.registerLanguage('css', css);
hljs.registerLanguage('xml', xml);
hljs.registerLanguage('bash', bash);
hljs.registerLanguage('http', http);
hljs.registerLanguage('pug', pug);

const byExtension: Record<string, string> = {
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  ts: 'typescript',
  json: 'json',
  css: 'css',
  html: 'xml',
  xml: 'xml',
  sh: 'bash',
  http: 'http',
  pug: 'pug',
  jade: 'pug',
};

/** The highlight.js language for a file name, or undefined for plain text. */
export function languageOf(path: string, explicit?: string): string | undefined {
  if (explicit) return hljs.getLanguage(explicit) ? explicit : undefined;
  const ext = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase();
  return ext ? byExtension[ext] : undefined;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Cuts highlighted HTML into lines. A span that crosses a line end is
 * closed at the end of the line and opened again on the next, so each line
 * stands on its own.
 */
function splitHighlighted(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let current = '';
  for (const [token] of html.matchAll(/<span[^>]*>|<\/span>|\n|[^<\n]+/g)) {
    if (token === '\n') {
      lines.push(current + '</span>'.repeat(open.length));
      current = open.join('');
    } else if (token === '</span>') {
      open.pop();
      current += token;
    } else {
      if (token.startsWith('<span')) open.push(token);
      current += token;
    }
  }
  lines.push(current + '</span>'.repeat(open.length));
  return lines;
}

const cache = new Map<string, string[]>();
const cacheLimit = 256;

/** Each line of `text` as safe HTML, highlighted when the language is known. */
export function highlightLines(text: string, language: string | undefined): string[] {
  const key = `${language ?? ''}\0${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const html = language ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escapeHtml(text);
  const lines = splitHighlighted(html);
  if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
  cache.set(key, lines);
  return lines;
}

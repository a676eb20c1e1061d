import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Eta } from 'eta';
import { NODE_MODULES_DIR, VIEWS_DIR } from '../../paths.js';

/**
 * Printable documents (views/documents/): whole HTML files that a PDF page loads with no network,
 * so their fonts are inlined. Pages of the site go through reply.render; documents through here,
 * both for their PDF and for their HTML preview.
 */
const eta = new Eta({ views: join(VIEWS_DIR, 'documents'), cache: true, autoEscape: true, autoTrim: false });

const FONT_FACES: readonly { file: string; weight: number; style: string }[] = [
  { file: 'Marianne-Regular.woff2', weight: 400, style: 'normal' },
  { file: 'Marianne-Regular_Italic.woff2', weight: 400, style: 'italic' },
  { file: 'Marianne-Bold.woff2', weight: 700, style: 'normal' },
];

let fontsCss: string | null = null;

/** The State's font (Marianne, from the design system's package), as @font-face rules with data URIs. */
export function documentFontsCss(): string {
  fontsCss ??= FONT_FACES.map((face) => {
    const data = readFileSync(join(NODE_MODULES_DIR, '@gouvfr', 'dsfr', 'dist', 'fonts', face.file)).toString('base64');
    return `@font-face{font-family:Marianne;font-weight:${face.weight};font-style:${face.style};src:url(data:font/woff2;base64,${data}) format('woff2');}`;
  }).join('\n');
  return fontsCss;
}

/** A document's HTML: `template` under views/documents/, with the inlined fonts as `it.fontsCss`. */
export function renderDocument(template: string, data: Record<string, unknown>): string {
  return eta.render(template, { ...data, fontsCss: documentFontsCss() });
}

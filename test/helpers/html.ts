/**
 * Reading the pages as served: the texts, headings, messages and form fields a user sees, and the
 * escaping Eta applies (autoEscape), to find a text of the database in a page.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const ENTITIES: Record<string, string> = Object.fromEntries(Object.entries(ESCAPES).map(([c, entity]) => [entity, c]));

/** Escapes as Eta's autoEscape does. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The reverse of escapeHtml: the five entities Eta writes (the templates write no other). */
export function decodeEntities(html: string): string {
  return html.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);
}

/**
 * The text as a reader gets it: scripts left out, each tag a space, entities decoded, the layout's
 * whitespace collapsed. A no-break space stays: French typography puts them in the banks' texts.
 */
export function visibleText(html: string): string {
  return decodeEntities(html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/[ \t\r\n]+/g, ' ')
    .trim();
}

/** The text of the page's first heading, or null. */
export function h1(html: string): string | null {
  const inner = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1];
  return inner === undefined ? null : visibleText(inner);
}

/** The messages kept for the next page (views/partials/flashes.eta), in order. */
export function flashes(html: string): { type: string; text: string }[] {
  return [...html.matchAll(/<div class="fr-alert fr-alert--(\w+) fr-alert--sm[^"]*"><p>([\s\S]*?)<\/p><\/div>/g)].map((m) => ({
    type: m[1]!,
    text: visibleText(m[2]!),
  }));
}

export interface RenderedField {
  /** An input's value ('' without the attribute), a select's chosen option; null when the page has no such field. */
  value: string | null;
  /** Marked aria-invalid and described by its message. */
  invalid: boolean;
  /** The message under the field (`<p id="…-erreur">`), or null. */
  error: string | null;
}

/** A form field as rendered, found by its id (or, failing that, its name). */
export function field(html: string, key: string): RenderedField {
  const tag =
    new RegExp(`<(input|select|textarea)\\b[^>]*\\sid="${key}"[^>]*>`).exec(html) ??
    new RegExp(`<(input|select|textarea)\\b[^>]*\\sname="${key}"[^>]*>`).exec(html);
  const id = (tag && /\sid="([^"]*)"/.exec(tag[0])?.[1]) ?? key;
  let value: string | null = null;
  if (tag?.[1] === 'select') {
    const options = html.slice(tag.index, html.indexOf('</select>', tag.index));
    value = /<option value="([^"]*)" selected>/.exec(options)?.[1] ?? null;
  } else if (tag) {
    value = decodeEntities(/\svalue="([^"]*)"/.exec(tag[0])?.[1] ?? '');
  }
  const error = new RegExp(`<p\\b[^>]*\\sid="${id}-erreur"[^>]*>([\\s\\S]*?)</p>`).exec(html)?.[1];
  return {
    value,
    invalid: !!tag && /\saria-invalid="true"/.test(tag[0]) && tag[0].includes(`aria-describedby="${id}-erreur"`),
    error: error === undefined ? null : visibleText(error),
  };
}

/** A question's image, given as a data URI: decoded, bounded, and its bytes held to its declared type. */
import { formatInteger } from '../french.js';
import type { BankImage, ImageMime } from './model.js';
import type { Reporter } from './report.js';

export const MAX_IMAGE_BYTES = 1_048_576;

const IMAGE_KINDS: Record<ImageMime, { name: string; matches: (data: Buffer) => boolean }> = {
  'image/png': {
    name: 'PNG',
    matches: (d) => d.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  'image/jpeg': { name: 'JPEG', matches: (d) => d[0] === 0xff && d[1] === 0xd8 && d[2] === 0xff },
  'image/svg+xml': { name: 'SVG', matches: (d) => d.toString('utf8').toLowerCase().includes('<svg') },
};

function isImageMime(x: string): x is ImageMime {
  return Object.hasOwn(IMAGE_KINDS, x);
}

export function decodeImage(uri: string, q: Reporter): BankImage | undefined {
  const match = /^data:([^,]*),(.*)$/is.exec(uri);
  if (!match) {
    return q.error(
      'L’image doit être une URI « data: » PNG, JPEG ou SVG, par exemple « data:image/png;base64,… » ' +
        '(une adresse ou un chemin de fichier ne sont pas acceptés).',
    );
  }
  const [mediaType = '', ...parameters] = (match[1] ?? '').split(';').map((s) => s.trim().toLowerCase());
  const payload = match[2] ?? '';
  // "image/jpg" is a common misspelling that every browser accepts.
  const mime = mediaType === 'image/jpg' ? 'image/jpeg' : mediaType;
  if (!isImageMime(mime)) {
    return q.error(
      `Type d’image non accepté (« ${mediaType || 'aucun type'} ») : seuls PNG (image/png), JPEG (image/jpeg) ` + 'et SVG (image/svg+xml) sont acceptés.',
    );
  }

  let data: Buffer;
  if (parameters.includes('base64')) {
    const compact = payload.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
      return q.error('Le contenu de l’image n’est pas un base64 valide.');
    }
    data = Buffer.from(compact, 'base64');
  } else {
    try {
      data = Buffer.from(decodeURIComponent(payload), 'utf8');
    } catch {
      return q.error('Le contenu de l’image est mal encodé (séquence « % » invalide).');
    }
  }

  const kind = IMAGE_KINDS[mime];
  const before = q.count;
  if (data.length > MAX_IMAGE_BYTES) {
    q.error(`L’image pèse ${formatInteger(data.length)} octets une fois décodée : ` + `la limite est de 1 Mo (${formatInteger(MAX_IMAGE_BYTES)} octets).`);
  }
  if (!kind.matches(data)) {
    q.error(`Le contenu de l’image n’est pas une image ${kind.name}, contrairement au type déclaré (${mime}).`);
  }
  return q.count > before ? undefined : { mime, data };
}

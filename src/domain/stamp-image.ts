/**
 * The stamp and signature a centre may upload, printed in the attestation's box. The bytes are
 * checked, not the file name: a PNG or a JPEG, of a sensible size, whose header gives its pixels.
 */
export const STAMP_MAX_BYTES = 512 * 1024;
export const STAMP_MAX_PIXELS = 3000;

export type StampCheck = { ok: true; mime: 'image/png' | 'image/jpeg'; width: number; height: number } | { ok: false; message: string };

function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || !signature.every((b, i) => bytes[i] === b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = view.getUint16(at + 2);
    // Start-of-frame markers (baseline, progressive…) hold the size; C4, C8 and CC are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    at += 2 + length;
  }
  return null;
}

export function checkStampImage(bytes: Uint8Array): StampCheck {
  if (bytes.length === 0) return { ok: false, message: 'Choisissez un fichier image (PNG ou JPEG).' };
  if (bytes.length > STAMP_MAX_BYTES) return { ok: false, message: `L’image ne doit pas dépasser ${STAMP_MAX_BYTES / 1024} Ko.` };
  const png = pngSize(bytes);
  const jpeg = png ? null : jpegSize(bytes);
  const size = png ?? jpeg;
  if (!size) return { ok: false, message: 'Ce fichier n’est pas une image PNG ou JPEG lisible.' };
  if (size.width < 1 || size.height < 1 || size.width > STAMP_MAX_PIXELS || size.height > STAMP_MAX_PIXELS) {
    return { ok: false, message: `L’image doit mesurer au plus ${STAMP_MAX_PIXELS} pixels de côté.` };
  }
  return { ok: true, mime: png ? 'image/png' : 'image/jpeg', ...size };
}

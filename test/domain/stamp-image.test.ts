import t from 'tap';
import fc from 'fast-check';
import { checkStampImage, STAMP_MAX_BYTES, STAMP_MAX_PIXELS } from '../../src/domain/stamp-image.js';

/** fast-check's report when the property fails, null when it holds: asserted with t.equal(…, null). */
function failureOf<Ts>(property: fc.IProperty<Ts>, params?: fc.Parameters<Ts>): string | null {
  const details = fc.check(property, params);
  return details.failed ? (fc.defaultReportMessage(details) ?? 'property failed') : null;
}

const NOT_AN_IMAGE = 'Ce fichier n’est pas une image PNG ou JPEG lisible.';
const TOO_MANY_PIXELS = 'L’image doit mesurer au plus 3000 pixels de côté.';
const TOO_HEAVY = 'L’image ne doit pas dépasser 512 Ko.';
const EMPTY = 'Choisissez un fichier image (PNG ou JPEG).';

const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u16 = (n: number) => [(n >>> 8) & 0xff, n & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: number[]): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: number[]): number[] {
  const typed = [...ascii(type), ...data];
  return [...u32(data.length), ...typed, ...u32(crc32(typed))];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG as its header goes: signature, IHDR (8-bit RGBA), an empty IDAT, IEND. */
function png(width: number, height: number): Uint8Array {
  return Uint8Array.from([
    ...PNG_SIGNATURE,
    ...pngChunk('IHDR', [...u32(width), ...u32(height), 8, 6, 0, 0, 0]),
    ...pngChunk('IDAT', []),
    ...pngChunk('IEND', []),
  ]);
}

/** A JPEG segment: FF, marker, the length (counting itself), the payload. */
function segment(marker: number, payload: number[]): number[] {
  return [0xff, marker, ...u16(payload.length + 2), ...payload];
}
const APP0 = segment(0xe0, [...ascii('JFIF'), 0, 1, 1, 0, ...u16(72), ...u16(72), 0, 0]);
const DQT = segment(0xdb, [0, ...new Array<number>(64).fill(1)]);
// A Huffman table: FF C4 lies in the range of frame markers but is no frame.
const DHT = segment(0xc4, [0, 0, 1, ...new Array<number>(15).fill(0), 0]);
const SOS_AND_END = [...segment(0xda, [1, 1, 0, 0, 0x3f, 0]), 0x12, 0x34, 0xff, 0xd9];

function sof(marker: number, width: number, height: number): number[] {
  // Precision, height, width, one component.
  return segment(marker, [8, ...u16(height), ...u16(width), 1, 1, 0x11, 0]);
}

/** FF D8, APP0, the segments before the frame, the frame, a scan, FF D9. */
function jpeg(width: number, height: number, options: { before?: number[][]; marker?: number } = {}): Uint8Array {
  const before = options.before ?? [DQT];
  return Uint8Array.from([0xff, 0xd8, ...APP0, ...before.flat(), ...sof(options.marker ?? 0xc0, width, height), ...SOS_AND_END]);
}

t.test('the limits', async (t) => {
  t.equal(STAMP_MAX_BYTES, 512 * 1024);
  t.equal(STAMP_MAX_PIXELS, 3000);
});

t.test('a PNG: its pixels read from the IHDR header', async (t) => {
  t.same(checkStampImage(png(300, 120)), { ok: true, mime: 'image/png', width: 300, height: 120 });
  t.same(checkStampImage(png(1, 1)), { ok: true, mime: 'image/png', width: 1, height: 1 });
  t.same(checkStampImage(png(3000, 3000)), { ok: true, mime: 'image/png', width: 3000, height: 3000 });
  t.same(checkStampImage(Buffer.from(png(640, 480))), { ok: true, mime: 'image/png', width: 640, height: 480 }, 'a Buffer as multipart gives it');
});

t.test('a JPEG: its pixels read from the start-of-frame segment', async (t) => {
  t.same(checkStampImage(jpeg(640, 480)), { ok: true, mime: 'image/jpeg', width: 640, height: 480 });
  t.same(checkStampImage(jpeg(1, 2999)), { ok: true, mime: 'image/jpeg', width: 1, height: 2999 });
  t.same(checkStampImage(jpeg(3000, 3000)), { ok: true, mime: 'image/jpeg', width: 3000, height: 3000 });
  t.same(checkStampImage(jpeg(800, 600, { marker: 0xc2 })), { ok: true, mime: 'image/jpeg', width: 800, height: 600 }, 'progressive (SOF2)');
  t.same(checkStampImage(jpeg(800, 600, { marker: 0xc1 })), { ok: true, mime: 'image/jpeg', width: 800, height: 600 }, 'extended (SOF1)');
  t.same(checkStampImage(jpeg(800, 600, { before: [] })), { ok: true, mime: 'image/jpeg', width: 800, height: 600 }, 'the frame right after APP0');
});

t.test('a JPEG whose frame comes after a DHT (FF C4) segment is read at the frame', async (t) => {
  t.same(checkStampImage(jpeg(640, 480, { before: [DQT, DHT] })), { ok: true, mime: 'image/jpeg', width: 640, height: 480 });
  t.same(checkStampImage(jpeg(17, 23, { before: [DHT, DHT, DQT] })), { ok: true, mime: 'image/jpeg', width: 17, height: 23 });
  // FF C8 (reserved) and FF CC (arithmetic coding conditioning) are not frames either.
  t.same(checkStampImage(jpeg(640, 480, { before: [segment(0xc8, [9, 9, 9, 9, 9, 9, 9, 9]), segment(0xcc, [9, 9, 9, 9, 9, 9, 9, 9])] })), {
    ok: true,
    mime: 'image/jpeg',
    width: 640,
    height: 480,
  });
  // Fill bytes (FF FF …) before a marker are skipped.
  t.same(checkStampImage(jpeg(64, 32, { before: [[0xff, 0xff, 0xff], DQT] })), { ok: true, mime: 'image/jpeg', width: 64, height: 32 });
});

t.test('the image may sit anywhere in a larger buffer', async (t) => {
  const image = png(321, 123);
  const backing = new Uint8Array(image.length + 11).fill(0xaa);
  backing.set(image, 5);
  t.same(checkStampImage(backing.subarray(5, 5 + image.length)), { ok: true, mime: 'image/png', width: 321, height: 123 });
  const photo = jpeg(99, 77, { before: [DHT] });
  const around = new Uint8Array(photo.length + 7).fill(0xff);
  around.set(photo, 3);
  t.same(checkStampImage(around.subarray(3, 3 + photo.length)), { ok: true, mime: 'image/jpeg', width: 99, height: 77 });
});

t.test('an empty file is asked for again', async (t) => {
  t.same(checkStampImage(new Uint8Array(0)), { ok: false, message: EMPTY });
});

t.test('over STAMP_MAX_BYTES refused, exactly STAMP_MAX_BYTES accepted', async (t) => {
  const exactly = new Uint8Array(STAMP_MAX_BYTES);
  exactly.set(png(200, 100));
  t.same(checkStampImage(exactly), { ok: true, mime: 'image/png', width: 200, height: 100 });
  const over = new Uint8Array(STAMP_MAX_BYTES + 1);
  over.set(png(200, 100));
  t.same(checkStampImage(over), { ok: false, message: TOO_HEAVY });
  t.same(checkStampImage(new Uint8Array(5 * 1024 * 1024)), { ok: false, message: TOO_HEAVY });
});

t.test('a width or height of 0, or above STAMP_MAX_PIXELS, is refused', async (t) => {
  for (const [width, height] of [
    [0, 100],
    [100, 0],
    [0, 0],
    [3001, 100],
    [100, 3001],
    [65535, 65535],
  ] as const) {
    t.same(checkStampImage(png(width, height)), { ok: false, message: TOO_MANY_PIXELS }, `PNG ${width}×${height}`);
    t.same(checkStampImage(jpeg(width, height)), { ok: false, message: TOO_MANY_PIXELS }, `JPEG ${width}×${height}`);
  }
  t.same(checkStampImage(png(0xffffffff, 10)), { ok: false, message: TOO_MANY_PIXELS }, 'PNG widths are 32 bits');
  t.same(checkStampImage(png(0x80000000, 0x80000000)), { ok: false, message: TOO_MANY_PIXELS });
});

t.test('other formats and text are refused', async (t) => {
  const files: [string, Uint8Array][] = [
    ['GIF', Uint8Array.from([...ascii('GIF89a'), ...u16(10).reverse(), ...u16(10).reverse(), 0, 0, 0, 0x3b])],
    ['PDF', Uint8Array.from(ascii('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n'))],
    ['text', Uint8Array.from(ascii('Tampon du centre de formation, Lyon'))],
    ['SVG', Uint8Array.from(ascii('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'))],
    ['BMP', Uint8Array.from([...ascii('BM'), ...new Array<number>(60).fill(0)])],
    ['WebP', Uint8Array.from([...ascii('RIFF'), 0x24, 0, 0, 0, ...ascii('WEBPVP8 '), ...new Array<number>(30).fill(0)])],
    ['one byte', Uint8Array.of(0)],
  ];
  for (const [name, bytes] of files) t.same(checkStampImage(bytes), { ok: false, message: NOT_AN_IMAGE }, name);
});

t.test('damaged headers are refused', async (t) => {
  const noIhdr = png(100, 100);
  noIhdr.set(ascii('IDAT'), 12);
  t.same(checkStampImage(noIhdr), { ok: false, message: NOT_AN_IMAGE }, 'a PNG whose first chunk is not IHDR');
  const badSignature = png(100, 100);
  badSignature[1] = 0x51;
  t.same(checkStampImage(badSignature), { ok: false, message: NOT_AN_IMAGE }, 'a PNG signature one byte off');
  t.same(checkStampImage(Uint8Array.from([0xff, 0xd8, ...APP0, ...DQT, ...SOS_AND_END])), { ok: false, message: NOT_AN_IMAGE }, 'a JPEG with no frame');
  t.same(
    checkStampImage(Uint8Array.from([0xff, 0xd8, ...APP0, 0x00, 0x01, ...sof(0xc0, 10, 10), ...SOS_AND_END])),
    { ok: false, message: NOT_AN_IMAGE },
    'a JPEG whose next segment does not start with FF',
  );
  t.same(checkStampImage(Uint8Array.from([0xff, 0xd9, ...APP0, ...sof(0xc0, 10, 10)])), { ok: false, message: NOT_AN_IMAGE }, 'no SOI');
});

t.test('truncated files are refused and never throw', async (t) => {
  const fullPng = png(300, 120);
  for (let length = 1; length < 24; length += 1) {
    t.same(checkStampImage(fullPng.subarray(0, length)), { ok: false, message: NOT_AN_IMAGE }, `PNG cut at ${length} bytes`);
  }
  t.same(checkStampImage(fullPng.subarray(0, 24)), { ok: true, mime: 'image/png', width: 300, height: 120 }, 'the header is all it needs');

  const fullJpeg = jpeg(640, 480, { before: [DQT, DHT] });
  const frameAt = 2 + APP0.length + DQT.length + DHT.length;
  t.equal(fullJpeg[frameAt + 1], 0xc0, 'the frame offset as built');
  for (let length = 1; length < frameAt + 9; length += 1) {
    t.same(checkStampImage(fullJpeg.subarray(0, length)), { ok: false, message: NOT_AN_IMAGE }, `JPEG cut at ${length} bytes`);
  }
  for (let length = frameAt + 10; length <= fullJpeg.length; length += 1) {
    t.same(checkStampImage(fullJpeg.subarray(0, length)), { ok: true, mime: 'image/jpeg', width: 640, height: 480 }, `JPEG cut after its frame, at ${length}`);
  }
  // A segment claiming to run past the end of the file.
  t.same(checkStampImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), { ok: false, message: NOT_AN_IMAGE });
  // A segment of length 0, then only fill bytes: no frame, and no endless loop.
  t.same(checkStampImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0, 0, ...new Array<number>(40).fill(0xff)])), { ok: false, message: NOT_AN_IMAGE });
  t.same(checkStampImage(Uint8Array.from([0xff, 0xd8, ...new Array<number>(1000).fill(0xff)])), { ok: false, message: NOT_AN_IMAGE });
});

function isWellFormed(result: ReturnType<typeof checkStampImage>): boolean {
  if (!result.ok) return [EMPTY, TOO_HEAVY, NOT_AN_IMAGE, TOO_MANY_PIXELS].includes(result.message) && Object.keys(result).length === 2;
  return (
    (result.mime === 'image/png' || result.mime === 'image/jpeg') &&
    Number.isInteger(result.width) &&
    Number.isInteger(result.height) &&
    result.width >= 1 &&
    result.height >= 1 &&
    result.width <= STAMP_MAX_PIXELS &&
    result.height <= STAMP_MAX_PIXELS
  );
}

t.test('property: any bytes never throw; ok means a PNG or JPEG of sensible size', async (t) => {
  const prefix = fc.constantFrom<number[]>([], PNG_SIGNATURE, [0xff, 0xd8], [0xff, 0xd8, 0xff, 0xc0], [...PNG_SIGNATURE, 0, 0, 0, 13, ...ascii('IHDR')]);
  t.equal(
    failureOf(
      fc.property(prefix, fc.uint8Array({ maxLength: 300 }), (head, tail) => {
        const bytes = Uint8Array.from([...head, ...tail]);
        let result;
        try {
          result = checkStampImage(bytes);
        } catch {
          return false;
        }
        if (!isWellFormed(result)) return false;
        if (result.ok && result.mime === 'image/png') return bytes[0] === 0x89;
        if (result.ok) return bytes[0] === 0xff && bytes[1] === 0xd8;
        return true;
      }),
      { numRuns: 5000 },
    ),
    null,
  );
});

t.test('property: after any non-frame segments, a JPEG frame gives its size, or the pixel message', async (t) => {
  const nonFrameMarker = fc.constantFrom(0xc4, 0xc8, 0xcc, 0xdb, 0xdd, 0xe0, 0xe1, 0xe2, 0xed, 0xee, 0xfe);
  const otherSegment = fc.tuple(nonFrameMarker, fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 })).map(([m, payload]) => segment(m, payload));
  const frameMarker = fc.constantFrom(0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf);
  const side = fc.oneof(fc.integer({ min: 0, max: STAMP_MAX_PIXELS + 1 }), fc.integer({ min: 0, max: 0xffff }));
  t.equal(
    failureOf(
      fc.property(fc.array(otherSegment, { maxLength: 6 }), frameMarker, side, side, (before, marker, width, height) => {
        const result = checkStampImage(jpeg(width, height, { before, marker }));
        const fits = width >= 1 && height >= 1 && width <= STAMP_MAX_PIXELS && height <= STAMP_MAX_PIXELS;
        return fits
          ? result.ok && result.mime === 'image/jpeg' && result.width === width && result.height === height
          : !result.ok && result.message === TOO_MANY_PIXELS;
      }),
      { numRuns: 2000 },
    ),
    null,
  );
  const pngSide = fc.oneof(fc.integer({ min: 0, max: STAMP_MAX_PIXELS + 1 }), fc.integer({ min: 0, max: 0xffffffff }));
  t.equal(
    failureOf(
      fc.property(pngSide, pngSide, (width, height) => {
        const result = checkStampImage(png(width, height));
        const fits = width >= 1 && height >= 1 && width <= STAMP_MAX_PIXELS && height <= STAMP_MAX_PIXELS;
        return fits
          ? result.ok && result.mime === 'image/png' && result.width === width && result.height === height
          : !result.ok && result.message === TOO_MANY_PIXELS;
      }),
      { numRuns: 2000 },
    ),
    null,
  );
});

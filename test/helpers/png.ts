import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A real PNG (8-bit RGB, no interlace), readable by any browser: a small red ring on white for a
 * stamp, or incompressible noise stored without compression to make a file too large.
 */
export function png(width: number, height: number, content: 'stamp' | 'noise' = 'stamp'): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  const row = 1 + width * 3;
  const raw = content === 'noise' ? randomBytes(height * row) : Buffer.alloc(height * row, 0xff);
  for (let y = 0; y < height; y += 1) {
    raw[y * row] = 0; // filter: none
    if (content === 'stamp') {
      for (let x = 0; x < width; x += 1) {
        const r = Math.hypot(x - width / 2, y - height / 2);
        if (r > width / 3 && r < width / 2.5) raw.fill(0, y * row + 1 + x * 3 + 1, y * row + 1 + x * 3 + 3);
      }
    }
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw, { level: content === 'noise' ? 0 : 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

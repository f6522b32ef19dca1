// Draws the app icon (assets/icon.png, 512×512, from which electron-builder makes the macOS and
// Windows icons) and the tray icons (16×16 and @2x 32×32): a white handset on a blue rounded
// square; tray.png while available, tray-in-call.png with a green dot, tray-dnd.png with a red
// no-entry badge. Plain Node, no image library: shapes are sampled 4×4 per pixel for
// smooth edges and written as RGBA PNGs. Run `node scripts/make-icons.mjs` after changing it.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');

const BLUE = [37, 99, 235];
const WHITE = [255, 255, 255];
const GREEN = [26, 127, 55];
const RED = [207, 34, 46];

/** The status badge in the lower right corner of a tray icon, or none. */
const BADGES = {
  'in-call': (x, y) => (Math.hypot(x - 392, y - 392) <= 120 ? GREEN : null),
  dnd: (x, y) => {
    if (Math.hypot(x - 392, y - 392) > 120) return null;
    return Math.abs(y - 392) <= 26 && Math.abs(x - 392) <= 78 ? WHITE : RED;
  },
};

// Shapes in a 512-unit square.
function insideRoundedSquare(x, y, inset, radius) {
  const low = inset + radius;
  const high = 512 - inset - radius;
  const dx = Math.max(low - x, 0, x - high);
  const dy = Math.max(low - y, 0, y - high);
  return dx * dx + dy * dy <= radius * radius;
}

/** The handset: a thick quarter arc bulging to the lower left, with an ear and a mouth piece. */
function insideHandset(x, y) {
  const cx = 352;
  const cy = 160;
  const dx = x - cx;
  const dy = y - cy;
  const distance = Math.hypot(dx, dy);
  const angle = Math.atan2(dy, dx);
  const onBand = distance >= 150 && distance <= 212 && angle >= Math.PI / 2 - 0.05 && angle <= Math.PI + 0.05;
  const ear = nearSegment(x, y, [cx - 181, cy + 10], [cx - 165, cy - 60], 50);
  const mouth = nearSegment(x, y, [cx - 10, cy + 181], [cx + 60, cy + 165], 50);
  return onBand || ear || mouth;
}

/** Within `radius` of the segment a–b: a capsule. */
function nearSegment(x, y, [ax, ay], [bx, by], radius) {
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))) <= radius;
}

function colorAt(x, y, withTile, badge) {
  const badgeColor = badge?.(x, y);
  if (badgeColor) return { rgb: badgeColor, alpha: 1 };
  // A clear ring around the badge keeps it apart from the handset.
  if (badge && Math.hypot(x - 392, y - 392) <= 150) return { rgb: BLUE, alpha: 0 };
  if (insideHandset(x, y)) return { rgb: WHITE, alpha: 1 };
  if (insideRoundedSquare(x, y, withTile ? 24 : 0, withTile ? 112 : 256)) return { rgb: BLUE, alpha: 1 };
  return { rgb: BLUE, alpha: 0 };
}

function draw(size, withTile, badge) {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) * 512) / size;
          const y = ((py + (sy + 0.5) / samples) * 512) / size;
          const { rgb, alpha } = colorAt(x, y, withTile, badge);
          r += rgb[0] * alpha;
          g += rgb[1] * alpha;
          b += rgb[2] * alpha;
          a += alpha;
        }
      }
      const offset = (py * size + px) * 4;
      pixels[offset] = a ? Math.round(r / a) : 0;
      pixels[offset + 1] = a ? Math.round(g / a) : 0;
      pixels[offset + 2] = a ? Math.round(b / a) : 0;
      pixels[offset + 3] = Math.round((a / (samples * samples)) * 255);
    }
  }
  return encodePng(size, size, pixels);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const rows = [];
  for (let y = 0; y < height; y++) rows.push(Buffer.from([0]), rgba.subarray(y * width * 4, (y + 1) * width * 4));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

await writeFile(join(assets, 'icon.png'), draw(512, true));
for (const [name, badge] of [
  ['tray', undefined],
  ['tray-in-call', BADGES['in-call']],
  ['tray-dnd', BADGES.dnd],
]) {
  await writeFile(join(assets, `${name}.png`), draw(16, false, badge));
  await writeFile(join(assets, `${name}@2x.png`), draw(32, false, badge));
}
console.log('wrote assets/icon.png and the tray icons (tray, tray-in-call, tray-dnd; 1× and 2×)');

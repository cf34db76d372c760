// Renders app/icon.svg into app/favicon.ico (16, 32 and 48 px) with the test browser; run it after
// changing the icon. Browsers and bots ask for /favicon.ico whatever a page links to, and without
// the file each ask was a rendered 404 page.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const app = path.resolve(import.meta.dirname, '../app');
const svg = fs.readFileSync(path.join(app, 'icon.svg')).toString('base64');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const images = [];
for (const size of [16, 32, 48]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<style>html,body{margin:0;background:transparent}</style><img width="${size}" height="${size}" src="data:image/svg+xml;base64,${svg}">`);
  await page.waitForFunction(() => document.images[0].complete);
  images.push({ size, png: await page.screenshot({ omitBackground: true }) });
}
await browser.close();

// An ICO file: a 6-byte header, a 16-byte entry per image, then the images. PNG images inside
// are allowed since Windows Vista and read by every browser.
const header = Buffer.alloc(6);
header.writeUInt16LE(1, 2); // type: icon
header.writeUInt16LE(images.length, 4);
let offset = header.length + 16 * images.length;
const entries = images.map(({ size, png }) => {
  const entry = Buffer.alloc(16);
  entry.writeUInt8(size, 0);
  entry.writeUInt8(size, 1);
  entry.writeUInt16LE(1, 4); // colour planes
  entry.writeUInt16LE(32, 6); // bits per pixel
  entry.writeUInt32LE(png.length, 8);
  entry.writeUInt32LE(offset, 12);
  offset += png.length;
  return entry;
});
fs.writeFileSync(path.join(app, 'favicon.ico'), Buffer.concat([header, ...entries, ...images.map(({ png }) => png)]));

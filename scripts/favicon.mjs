// Renders app/icon.svg into app/favicon.ico (16, 32 and 48 px) with the test browser: run it after changing the icon.
// Browsers and bots ask for /favicon.ico whatever the page links to; without it each ask is a rendered 404 page.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
const svg = readFileSync('app/icon.svg', 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'] });
const pngs = [];
for (const size of [16, 32, 48]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<style>html,body{margin:0;background:transparent}</style><img width="${size}" height="${size}" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`);
  await page.waitForFunction(() => document.images[0].complete);
  pngs.push([size, await page.screenshot({ omitBackground: true })]);
}
await browser.close();
// ICO: a 6-byte header, a 16-byte entry per image, then the PNGs themselves (allowed since Windows Vista, read by every browser).
const header = Buffer.alloc(6); header.writeUInt16LE(0, 0); header.writeUInt16LE(1, 2); header.writeUInt16LE(pngs.length, 4);
let offset = 6 + 16 * pngs.length;
const entries = pngs.map(([size, png]) => {
  const e = Buffer.alloc(16);
  e.writeUInt8(size, 0); e.writeUInt8(size, 1); e.writeUInt16LE(1, 4); e.writeUInt16LE(32, 6);
  e.writeUInt32LE(png.length, 8); e.writeUInt32LE(offset, 12); offset += png.length; return e;
});
writeFileSync('app/favicon.ico', Buffer.concat([header, ...entries, ...pngs.map(([, p]) => p)]));

import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await (await b.newContext({ viewport: { width: 390, height: 800 } })).newPage();
await p.goto('http://127.0.0.1:18931/connexion');
console.log(await p.evaluate(() => {
  const a = document.querySelector('.fr-header__tools-links a');
  const r = a.getBoundingClientRect(); const s = getComputedStyle(a);
  const top = document.elementFromPoint(r.x + 10, r.y + 10);
  return [top.outerHTML.slice(0, 100), s.color, s.visibility, s.opacity, s.fontSize, a.textContent, getComputedStyle(a.parentElement).display, getComputedStyle(a.parentElement.parentElement).display];
}));
await b.close();

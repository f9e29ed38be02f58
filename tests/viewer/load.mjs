// load.mjs - open each trace in speedscope, a real viewer, in headless
// Chromium, and fail if it complained: speedscope's Chrome-trace importer
// says on the console when a slice ends while another is on top of its
// lane's stack (the overlaps a misnested trace is drawn with), when a slice
// is never closed, or when the file does not import at all.  Run by
// tests/cli/viewer.sh with build/viewer/ as the working directory.
//
// usage: node load.mjs CHROMIUM SCREENSHOT.png TRACE.json...
// Prints one line per trace ("ok NAME: N slices" or "bad NAME: ...") and
// exits 1 if any trace was bad.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [exe, shot, ...traces] = process.argv.slice(2);
const index = pathToFileURL(resolve('node_modules/speedscope/dist/release/index.html')).href;

// One trace into a fresh page: the console's warnings and errors, and whether it imported.
async function load(browser, path, screenshot) {
	const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
	const said = [];
	// Chromium's software GL reports its own stalls on the console: not the viewer's.
	page.on('console', (m) => {
		if ((m.type() === 'warning' || m.type() === 'error') &&
		    !/^\[\.WebGL-[0-9a-fx]+\]GL Driver Message/.test(m.text()))
			said.push(`${m.type()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => said.push(`page error: ${e.message}`));
	page.on('dialog', (d) => { said.push(`dialog: ${d.message()}`); d.dismiss(); });
	await page.goto(index);
	await page.setInputFiles('#file', path);
	// Imported: speedscope names the window after the profile.
	await page.waitForFunction(() => / - speedscope$/.test(document.title),
	    null, { timeout: 20000 }).catch(() => said.push('error: not imported in 20 s'));
	if (screenshot) {
		await page.waitForTimeout(300);
		await page.screenshot({ path: screenshot });
	}
	await page.close();
	return said;
}

// Slices a trace asks to be drawn (B, and X): the viewer must have had something to draw.
function slices(path) {
	const t = JSON.parse(readFileSync(path, 'utf8'));
	return t.traceEvents.filter((e) => e.ph === 'B' || e.ph === 'X').length;
}

const browser = await chromium.launch({ executablePath: exe, headless: true,
    args: ['--no-sandbox', '--allow-file-access-from-files'] });
let bad = 0;
for (const [i, path] of traces.entries()) {
	const n = slices(path);
	const said = await load(browser, path, i === 0 ? shot : null);
	if (n === 0)
		said.push('error: no slice in the trace');
	if (said.length > 0) {
		bad++;
		console.log(`bad ${basename(path)}: ${said.length} complaints, the first: ${said.slice(0, 3).join(' | ')}`);
	} else
		console.log(`ok ${basename(path)}: ${n} slices imported, no complaint`);
}
await browser.close();
process.exit(bad ? 1 : 0);

'use strict';
/*
 * check.js - loads ktriage's HTML reports in headless Chromium and checks
 * them as a reader's browser would show them (run by run.sh).
 *
 * usage: node check.js --chromium BIN --modules DIR --out DIR PAGE...
 *
 * Each page is loaded from a file: URL on a phone (390x844), a desktop
 * (1280x900) and for print.  It fails on any console error or warning,
 * any page error, any request but the page itself, any dialog (an
 * alert() that ran), on markup that could run or fetch anything (script,
 * img, iframe, on* attributes, ...), on a page wider than the screen, and
 * when the charts are missing.  What a page must hold depends on its file
 * name (SPECS).  Screenshots go to the --out folder.
 */
const path = require('path');
const { pathToFileURL } = require('url');

const SPECS = {
  'examples.html': {
    parts: true, minSvg: 3,
    shots: { desktop: 'report-desktop.png', mobile: 'report-mobile.png' },
  },
  'zh.html': {
    parts: true, minSvg: 3, lang: 'zh-CN',
    shots: { desktop: 'report-zh.png', mobile: 'report-zh-mobile.png' },
  },
  'hostile.html': {
    parts: true, minSvg: 3, hostile: true,
    shots: { desktop: 'report-hostile.png',
             mobile: 'report-hostile-mobile.png' },
  },
  'clean.html': {
    healthy: true, maxSvg: 0,
    shots: { desktop: 'report-clean.png' },
  },
};

const VIEWS = {
  mobile: { width: 390, height: 844, isMobile: true, hasTouch: true,
            deviceScaleFactor: 1 },
  desktop: { width: 1280, height: 900, deviceScaleFactor: 1 },
  print: { width: 794, height: 1123, deviceScaleFactor: 1 },
};

/* Strings of tests/browser/hostile.log that must show as text. */
const HOSTILE_TEXT = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '"><img/src=x/onerror=alert(1)>',
];

function parseArgs(argv) {
  const o = { pages: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--chromium' || a === '--modules' || a === '--out')
      o[a.slice(2)] = argv[++i];
    else
      o.pages.push(a);
  }
  if (!o.chromium || !o.modules || !o.out || !o.pages.length) {
    console.error('usage: node check.js --chromium BIN --modules DIR ' +
                  '--out DIR PAGE...');
    process.exit(2);
  }
  return o;
}

/* Runs in the page: what the checks need to know about it. */
function inspect() {
  const doc = document.documentElement;
  const all = Array.from(document.querySelectorAll('*'));
  const onAttrs = [];
  for (const el of all)
    for (const a of Array.from(el.attributes))
      if (/^on/i.test(a.name))
        onAttrs.push(el.tagName + '[' + a.name + ']');
  const svgs = Array.from(document.querySelectorAll('svg'));
  return {
    lang: doc.lang,
    scrollWidth: doc.scrollWidth,
    innerWidth: window.innerWidth,
    svg: svgs.length,
    svgUnlabelled: svgs.filter((s) => s.getAttribute('role') !== 'img' ||
      !s.getAttribute('aria-labelledby') || !s.querySelector('title')).length,
    svgEmpty: svgs.filter((s) => !s.querySelector('rect')).length,
    active: Array.from(document.querySelectorAll(
      'script,img,iframe,frame,object,embed,link,base,form,audio,video,' +
      'source,meta[http-equiv=refresh]')).map((e) => e.tagName),
    onAttrs,
    urls: all.flatMap((el) => ['src', 'href', 'xlink:href', 'action']
      .map((n) => el.getAttribute(n)).filter((v) => v && !/^#/.test(v))),
    sections: Array.from(document.querySelectorAll('main > section[id]'))
      .map((s) => s.id),
    healthy: !!document.querySelector('.verdict.lvl-healthy'),
    text: document.body.innerText,
    wide: Array.from(document.querySelectorAll('main *'))
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5).map((e) => e.tagName + '.' + e.className),
  };
}

async function checkPage(browser, file, spec, out) {
  const name = path.basename(file);
  const url = pathToFileURL(file).href;
  const problems = [];
  const page = await browser.newPage();

  page.on('console', (m) => {
    if (['error', 'warning', 'warn', 'assert'].includes(m.type()))
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => {
    problems.push(`a dialog opened (${d.type()}): ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (r.url() === url) {
      r.continue();
      return;
    }
    problems.push(`request: ${r.url().slice(0, 200)}`);
    r.abort().catch(() => {});
  });
  /* a policy violation is an error even when it printed nothing */
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error('CSP violation: ' + e.violatedDirective);
    });
  });

  for (const view of ['mobile', 'desktop', 'print']) {
    await page.emulateMediaType(view === 'print' ? 'print' : 'screen');
    await page.setViewport(VIEWS[view]);
    await page.goto(url, { waitUntil: 'load' });
    const info = await page.evaluate(inspect);
    const where = `${view} ${VIEWS[view].width}x${VIEWS[view].height}`;

    /* a phone zooms out of a page too wide, widening the viewport */
    if (info.innerWidth !== VIEWS[view].width)
      problems.push(`${where}: the viewport became ${info.innerWidth}px ` +
                    'wide: the page does not fit the screen');
    if (info.scrollWidth > info.innerWidth)
      problems.push(`${where}: page is ${info.scrollWidth}px wide, ` +
                    `wider than the ${info.innerWidth}px screen ` +
                    `(too wide: ${info.wide.join(', ')})`);
    if (view !== 'mobile') {
      if (spec.shots[view])
        await page.screenshot({ path: path.join(out, spec.shots[view]),
                                fullPage: true });
      continue;
    }
    console.log(`browser: ${name}: ${where}: scrollWidth ` +
                `${info.scrollWidth}, innerWidth ${info.innerWidth}, ` +
                `${info.svg} svg`);
    if (spec.shots.mobile)
      await page.screenshot({ path: path.join(out, spec.shots.mobile),
                              fullPage: true });
    if (spec.minSvg !== undefined && info.svg < spec.minSvg)
      problems.push(`${info.svg} charts (svg), want at least ${spec.minSvg}`);
    if (spec.maxSvg !== undefined && info.svg > spec.maxSvg)
      problems.push(`${info.svg} charts (svg), want at most ${spec.maxSvg}`);
    if (info.svgUnlabelled)
      problems.push(`${info.svgUnlabelled} svg without role, label or title`);
    if (info.svgEmpty)
      problems.push(`${info.svgEmpty} svg that draw nothing`);
    if (info.active.length)
      problems.push(`active elements: ${info.active.join(', ')}`);
    if (info.onAttrs.length)
      problems.push(`event handler attributes: ${info.onAttrs.join(', ')}`);
    if (info.urls.length)
      problems.push(`links out of the page: ${info.urls.join(', ')}`);
    if (spec.parts && info.sections.join(',') !==
        'risk,findings,prevention,summary')
      problems.push(`sections ${info.sections.join(',')}, want ` +
                    'risk,findings,prevention,summary');
    if (spec.healthy && !info.healthy)
      problems.push('no healthy verdict');
    if (spec.lang && info.lang !== spec.lang)
      problems.push(`lang ${info.lang}, want ${spec.lang}`);
    if (spec.lang === 'zh-CN' && !/[\u4e00-\u9fff]/.test(info.text))
      problems.push('no Chinese text');
    if (spec.hostile)
      for (const s of HOSTILE_TEXT)
        if (!info.text.includes(s))
          problems.push(`the log text ${JSON.stringify(s)} is not shown ` +
                        'as text');
  }
  await page.close();
  for (const p of new Set(problems))
    console.log(`browser: ${name}: FAIL: ${p}`);
  if (!problems.length)
    console.log(`browser: ${name}: ok`);
  return problems.length === 0;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const puppeteer = require(require.resolve('puppeteer-core',
                                            { paths: [o.modules] }));
  const browser = await puppeteer.launch({
    executablePath: o.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
           '--no-first-run', '--disable-extensions',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--mute-audio'],
  });
  let passed = 0;
  let failed = 0;
  try {
    for (const file of o.pages) {
      const spec = SPECS[path.basename(file)];
      if (!spec)
        throw new Error(`no checks for ${file}`);
      if (await checkPage(browser, file, spec, o.out))
        passed++;
      else
        failed++;
    }
  } finally {
    await browser.close();
  }
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`browser: ${e.stack || e}`);
  process.exit(1);
});

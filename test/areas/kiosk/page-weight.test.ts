/**
 * Old terminals on slow networks: the first load of a question page (HTML and every stylesheet and
 * script it references, compressed as the server really sends them) stays within 30 KB, an answer
 * round trip within 4 KB, and no web font is needed. Measured from the real responses.
 */
import { gunzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { PAGE_BUDGET_BYTES } from '../../../src/domain/terminal-check.js';
import type { Agent, Teardown } from '../../helpers/app.js';
import { startCandidate } from '../../helpers/kiosk.js';
import { examItems, illustratedToken, kioskRoom } from '../../helpers/kiosk-room.js';

const ROUND_TRIP_BUDGET = 4 * 1024;
const BROWSER_HEADERS = {
  'accept-encoding': 'gzip, deflate',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0',
};

/** Bytes on the wire for one response: status line, headers and the (compressed) body. */
function responseBytes(res: LightMyRequestResponse): number {
  const headers = Object.entries(res.headers)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${String(x)}\r\n`))
    .join('');
  return Buffer.byteLength(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n${headers}\r\n`) + res.rawPayload.length;
}

function decoded(res: LightMyRequestResponse): string {
  return (res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.rawPayload) : res.rawPayload).toString('utf8');
}

async function questionPage(t: Teardown, withImage: boolean) {
  const room = await kioskRoom(t);
  // The question with the longest texts (and an image, or not), to measure the heaviest page; the
  // illustrated version has questions of both kinds in every draw.
  const candidate = await startCandidate(room, { token: await illustratedToken(room) });
  const items = await examItems(room.db, candidate.examId);
  const pick = items
    .filter((i) => i.hasImage === withImage)
    .sort((x, y) => y.statement.length + y.texts.join('').length - (x.statement.length + x.texts.join('').length))[0]!;
  return { room, candidate, position: pick.position };
}

t.test('first load of a question page ≤ 30 KB compressed, HTML + CSS + JS', async (t) => {
  for (const withImage of [false, true]) {
    const { candidate, position } = await questionPage(t, withImage);
    const agent: Agent = candidate.agent;
    const html = await agent.get(`/examen/question/${position}`, BROWSER_HEADERS);
    t.equal(html.statusCode, 200);
    t.equal(html.headers['content-encoding'], 'gzip', 'the page is compressed');
    const page = decoded(html);
    t.match(page, /<legend class="k-statement">/);
    t.equal(/<img class="k-image"/.test(page), withImage, withImage ? 'a page with its image' : 'a page without image');

    const stylesheets = [...page.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
    const scripts = [...page.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    t.ok(stylesheets.length >= 1, `stylesheets: ${stylesheets.join(', ')}`);
    t.ok(scripts.length >= 1, `scripts: ${scripts.join(', ')}`);
    t.same([...page.matchAll(/<link[^>]*rel="(?:preload|prefetch|modulepreload)"/g)], [], 'nothing else is preloaded');

    let total = responseBytes(html);
    const sizes: Record<string, number> = { html: responseBytes(html) };
    for (const url of [...stylesheets, ...scripts]) {
      t.match(url, /^\//, `${url} is served by the platform itself`);
      const res = await agent.get(url, BROWSER_HEADERS);
      t.equal(res.statusCode, 200, `${url} answers`);
      if (res.rawPayload.length > 1024) t.equal(res.headers['content-encoding'], 'gzip', `${url} is compressed`);
      sizes[url] = responseBytes(res);
      total += responseBytes(res);
      if (url.endsWith('.css')) {
        const css = decoded(res);
        t.notMatch(css, /@font-face|@import|\.woff2?\b|\.ttf\b|\.otf\b|fonts\.googleapis/i, `${url}: no web font`);
      }
    }
    t.ok(total <= PAGE_BUDGET_BYTES, `${withImage ? 'with an image' : 'without image'}: ${total} bytes ≤ ${PAGE_BUDGET_BYTES} (${JSON.stringify(sizes)})`);
    t.notMatch(page, /@font-face|\.woff2?\b|fonts\.googleapis|\/static\/dsfr\//, 'the page references no web font and not the DSFR');
  }
});

t.test('an answer round trip with htmx ≤ 4 KB: request and response, headers included', async (t) => {
  const { room, candidate, position } = await questionPage(t, false);
  const agent = candidate.agent;
  await agent.get(`/examen/question/${position}`);
  const csrf = agent.csrfToken!;
  const cookie = agent.cookieHeader();
  // What htmx sends on a change: the whole form, its headers, and the CSRF header of <body>.
  const body = new URLSearchParams({ _csrf: csrf, seq: '1', choix: '2', revoir: 'oui' }).toString();
  const headers: Record<string, string> = {
    ...BROWSER_HEADERS,
    accept: '*/*',
    'content-type': 'application/x-www-form-urlencoded',
    cookie,
    'hx-request': 'true',
    'hx-current-url': `http://localhost:3000/examen/question/${position}`,
    'hx-target': 'k-save-status',
    'hx-trigger': 'k-question',
    'x-csrf-token': csrf,
    host: 'localhost:3000',
    origin: 'http://localhost:3000',
    referer: `http://localhost:3000/examen/question/${position}`,
  };
  const res = await agent.app.inject({ method: 'POST', url: `/examen/question/${position}`, payload: body, headers, remoteAddress: agent.ip });
  t.equal(res.statusCode, 200);
  t.equal(decoded(res), '<span class="k-saved" data-repondue="1">Réponse enregistrée.</span>');
  const requestBytes =
    Buffer.byteLength(`POST /examen/question/${position} HTTP/1.1\r\n`) +
    Object.entries(headers).reduce((s, [k, v]) => s + Buffer.byteLength(`${k}: ${v}\r\n`), 0) +
    2 +
    Buffer.byteLength(body);
  const total = requestBytes + responseBytes(res);
  t.ok(total <= ROUND_TRIP_BUDGET, `round trip ${total} bytes (request ${requestBytes}, response ${responseBytes(res)}) ≤ ${ROUND_TRIP_BUDGET}`);
  const stored = (await examItems(room.db, candidate.examId))[position - 1]!;
  t.equal(stored.chosenAnswerId, stored.order[1], 'and the answer is saved');
  t.equal(stored.flagged, true);
});

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isHttps } from '../../../config.js';
import { formatLongDate, parisDate, parisWallClockText } from '../../../domain/paris-time.js';
import {
  assessTerminal,
  MAX_ASSETS_LOAD_MS,
  MAX_CLOCK_SKEW_MS,
  MAX_ROUND_TRIP_MS,
  MIN_WINDOW,
  PAGE_BUDGET_BYTES,
  type TerminalMeasures,
} from '../../../domain/terminal-check.js';
import { kioskPage } from '../terminal/session.js';

/** Set by the check's first page, looked for by the next request: whether this browser keeps cookies. */
export const PROBE_COOKIE = 'qcm_diagnostic';
/** The exam page's style sheet and scripts: what the check downloads afresh to time the page budget. */
export const EXAM_ASSETS = ['/static/css/kiosk.css', '/static/htmx/htmx.min.js', '/static/js/kiosk.js'];
const TITLE = 'Vérification du poste';

type ResultQuery = {
  Querystring: { javascript?: string; largeur?: string; hauteur?: string; decalage?: string; aller_retour?: string; chargement?: string; octets?: string };
};

/** A measure sent by the check's script: a whole number within bounds, or null (absent, altered). */
function measure(value: string | undefined, min: number, max: number): number | null {
  if (value === undefined || !/^-?\d{1,12}$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

function scriptMeasures(query: ResultQuery['Querystring']): TerminalMeasures['script'] | 'unreadable' {
  const given = [query.largeur, query.hauteur, query.decalage, query.aller_retour, query.chargement, query.octets];
  if (given.every((v) => v === undefined)) return query.javascript === 'limite' ? 'limited' : null;
  const DAY = 24 * 60 * 60_000;
  const width = measure(query.largeur, 0, 100_000);
  const height = measure(query.hauteur, 0, 100_000);
  const clockSkewMs = measure(query.decalage, -366 * DAY, 366 * DAY);
  const roundTripMs = measure(query.aller_retour, 0, DAY);
  const assetsLoadMs = measure(query.chargement, 0, DAY);
  // Left out by a browser that does not tell what it received.
  const assetsBytes = query.octets === undefined ? null : measure(query.octets, 0, 1e9);
  if (width === null || height === null || clockSkewMs === null || roundTripMs === null || assetsLoadMs === null) return 'unreadable';
  if (query.octets !== undefined && assetsBytes === null) return 'unreadable';
  return { window: { width, height }, clockSkewMs, roundTripMs, assetsLoadMs, assetsBytes };
}

function startPage(request: FastifyRequest, reply: FastifyReply, failure: string | null, status = 200) {
  const now = request.server.clock.now();
  // Whether cookies are kept shows at the next request: the result, or the clock the script asks.
  reply.setCookie(PROBE_COOKIE, '1', { httpOnly: true, sameSite: 'lax', secure: isHttps(request.server.config), path: '/examen/diagnostic' });
  return kioskPage(
    reply,
    'diagnostic/start',
    {
      failure,
      serverTime: parisWallClockText(now),
      serverDate: formatLongDate(parisDate(now)),
      assets: EXAM_ASSETS,
      checkLimits: {
        window: MIN_WINDOW,
        clockSkewSeconds: MAX_CLOCK_SKEW_MS / 1000,
        roundTripMs: MAX_ROUND_TRIP_MS,
        assetsSeconds: MAX_ASSETS_LOAD_MS / 1000,
        pageKilobytes: PAGE_BUDGET_BYTES / 1024,
      },
    },
    TITLE,
    status,
  );
}

/**
 * `/examen/diagnostic`: the page a centre opens on each terminal before a session. Open to anyone
 * (no admission: it is used before one); none of its routes queries the database itself (a session
 * cookie, if any, is read as on every page) and its clock answers only the server's time. Without
 * JavaScript it still checks the cookies and says what it could not check.
 */
export default async function diagnosticRoutes(app: FastifyInstance) {
  app.get('/examen/diagnostic', async (request, reply) => startPage(request, reply, null));

  app.get('/examen/diagnostic/horloge', async (request) => {
    return { serveur: app.clock.now().getTime(), cookies: request.cookies[PROBE_COOKIE] === '1' };
  });

  app.get('/examen/diagnostic/resultat', async (request: FastifyRequest<ResultQuery>, reply) => {
    const script = scriptMeasures(request.query);
    if (script === 'unreadable') return startPage(request, reply, 'Les mesures reçues sont illisibles : relancez la vérification.', 400);
    const verdict = assessTerminal({ cookies: request.cookies[PROBE_COOKIE] === '1', script });
    const now = app.clock.now();
    return kioskPage(reply, 'diagnostic/result', { verdict, withScript: script !== null && script !== 'limited', serverTime: parisWallClockText(now) }, TITLE);
  });
}

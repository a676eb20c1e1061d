import { suspensionNotice } from '../domain/centre-suspension.js';
import { ADMISSION_CODE_LENGTH, ADMISSION_CODE_VALIDITY_MS, RESUME_LEAVE_MS } from '../domain/admission-code.js';
import {
  MIN_EXAMS_FOR_FLAGS,
  NEGATIVE_DISCRIMINATION,
  STRONG_DISTRACTOR_GAP_POINTS,
  STRONG_DISTRACTOR_MIN_CHOOSERS,
  TOO_EASY_RIGHT_RATE,
  TOO_HARD_RIGHT_RATE,
} from '../domain/item-analysis.js';
import { RETENTION_YEARS_MAX, RETENTION_YEARS_MIN } from '../domain/retention.js';
import { MAX_ASSETS_LOAD_MS, MAX_CLOCK_SKEW_MS, MAX_ROUND_TRIP_MS, MIN_WINDOW, PAGE_BUDGET_BYTES } from '../domain/terminal-check.js';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { EXTRA_MINUTES_MAX } from '../domain/exam-clock.js';
import { MIN_EXAMS_FOR_DEVIATION } from '../domain/figures.js';
import { plural } from '../domain/french.js';
import { ACCOUNT_ALERT_POLICY, ACCOUNT_POLICY, ADDRESS_POLICY, SECOND_FACTOR_POLICY } from '../domain/throttle.js';
import { CODE_STEP_MAX_FAILURES, CODE_STEP_VALIDITY_MS, RECOVERY_CODE_COUNT } from '../domain/second-factor.js';
import { RESULTS_PAGE_SIZE } from '../domain/results-filter.js';
import { BATCH_CONFIRM_ABOVE, BATCH_MAX, BATCH_MIN } from '../domain/token-batch.js';
import { LINK_LIFETIME_HOURS } from '../services/accounts/links.js';
import { BACKGROUND_REFRESH_HEADER, IDLE_LIMIT_MINUTES } from './auth.js';
import { VIEWS_DIR } from '../paths.js';

export type Layout = 'main' | 'kiosk';

export interface FlashMessage {
  type: 'success' | 'error' | 'info' | 'warning';
  text: string;
}

export interface RenderOptions {
  layout?: Layout;
  status?: number;
  /** The page title, shown in the tab and in the layout's heading region. */
  title?: string;
  /**
   * A fragment that needs nothing of the page (no form, no flash, no layout), rendered from its
   * data alone: a candidate's saved answer, acknowledged many times a second, costs no CSRF token.
   */
  bare?: boolean;
}

declare module 'fastify' {
  interface FastifyReply {
    /**
     * The one way to answer with HTML: the whole page, or only the fragment when htmx asks for
     * it (HX-Request without HX-Boosted), so that every link and form also works without JavaScript.
     */
    render(template: string, data?: Record<string, unknown>, options?: RenderOptions): Promise<FastifyReply>;
    /** Keeps a message for the next page rendered in this session (after a redirect). */
    flash(type: FlashMessage['type'], text: string): void;
    /**
     * The one way to send the browser to another page after a form: a 303 redirect, or, for an
     * htmx request, HX-Redirect so that the whole page changes (not the fragment htmx would swap).
     */
    navigate(url: string): FastifyReply;
    /**
     * A printable document's HTML preview (views/documents/, see services/pdf/documents.ts): its
     * styles and fonts are inline, so it gets a policy of its own that allows those and nothing else.
     */
    sendDocument(html: string): FastifyReply;
    /** A PDF, shown in the browser's viewer (or saved under `fileName`). */
    sendPdf(pdf: Buffer, fileName: string): FastifyReply;
  }
}

declare module 'fastify' {
  interface Session {
    flash?: FlashMessage[];
  }
}

/** Figures the pages state (« valable 48 heures »), from where the code enforces them; the manual's PDF states them too. */
export const LIMITS = Object.freeze({
  linkHours: LINK_LIFETIME_HOURS,
  idleMinutes: IDLE_LIMIT_MINUTES,
  backgroundRefreshHeader: BACKGROUND_REFRESH_HEADER,
  /** How often the session page's room refreshes itself while it runs. */
  roomRefreshSeconds: 20,
  extraMinutesMax: EXTRA_MINUTES_MAX,
  resumeLeaveMinutes: RESUME_LEAVE_MS / 60_000,
  batchMin: BATCH_MIN,
  batchMax: BATCH_MAX,
  batchConfirmAbove: BATCH_CONFIRM_ABOVE,
  sessionCodeLength: ADMISSION_CODE_LENGTH,
  sessionCodeMinutes: ADMISSION_CODE_VALIDITY_MS / 60_000,
  terminalWindow: MIN_WINDOW,
  terminalClockSkewSeconds: MAX_CLOCK_SKEW_MS / 1000,
  terminalRoundTripMs: MAX_ROUND_TRIP_MS,
  terminalAssetsSeconds: MAX_ASSETS_LOAD_MS / 1000,
  terminalPageBudgetKb: PAGE_BUDGET_BYTES / 1024,
  retentionYearsMin: RETENTION_YEARS_MIN,
  retentionYearsMax: RETENTION_YEARS_MAX,
  itemMinExams: MIN_EXAMS_FOR_FLAGS,
  deviationMinExams: MIN_EXAMS_FOR_DEVIATION,
  itemTooEasyPercent: TOO_EASY_RIGHT_RATE * 100,
  itemTooHardPercent: TOO_HARD_RIGHT_RATE * 100,
  itemNegativeDiscrimination: String(NEGATIVE_DISCRIMINATION).replace('.', ',').replace('-', '−'),
  itemDistractorChoosers: STRONG_DISTRACTOR_MIN_CHOOSERS,
  itemDistractorGapPoints: STRONG_DISTRACTOR_GAP_POINTS,
  recoveryCodes: RECOVERY_CODE_COUNT,
  codeStepMinutes: CODE_STEP_VALIDITY_MS / 60_000,
  codeStepAttempts: CODE_STEP_MAX_FAILURES,
  codeFailures: SECOND_FACTOR_POLICY.maxFailures,
  codeFailuresMinutes: SECOND_FACTOR_POLICY.windowMs / 60_000,
  codeLockMinutes: SECOND_FACTOR_POLICY.lockMs / 60_000,
  accountAlertFailures: ACCOUNT_ALERT_POLICY.maxFailures,
  resultsPageSize: RESULTS_PAGE_SIZE,
  signInFailures: ACCOUNT_POLICY.maxFailures,
  signInLockMinutes: ACCOUNT_POLICY.lockMs / 60_000,
  addressFailures: ADDRESS_POLICY.maxFailures,
  addressLockMinutes: ADDRESS_POLICY.lockMs / 60_000,
});

const DOCUMENT_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function wantsFragment(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true' && request.headers['hx-boosted'] !== 'true';
}

/**
 * The manual's section of a page (views/public/help/): the words of its path without the ids, so
 * that a page below another gets its own section (`/admin/questionnaires/2/statistiques` →
 * `admin-questionnaires-statistiques`, not the questionnaires' section), and the page of one item
 * shares its list's (`/centre/sessions/3` → `centre-sessions`).
 */
function helpAnchorOf(path: string): string {
  return path
    .split('/')
    .filter((part) => /^[a-z-]+$/.test(part))
    .join('-');
}

function takeFlashes(request: FastifyRequest): FlashMessage[] {
  const flashes = request.session?.flash ?? [];
  if (flashes.length > 0) request.session.flash = [];
  return flashes;
}

export default fp(
  async (app, opts: { production: boolean }) => {
    const eta = new Eta({ views: VIEWS_DIR, cache: opts.production, autoEscape: true, autoTrim: false });
    await app.register(fastifyView, { engine: { eta }, root: VIEWS_DIR, production: opts.production });

    app.decorateReply('flash', function (this: FastifyReply, type: FlashMessage['type'], text: string) {
      const session = this.request.session;
      session.flash = [...(session.flash ?? []), { type, text }];
    });

    app.decorateReply('navigate', function (this: FastifyReply, url: string) {
      if (this.request.headers['hx-request'] === 'true') return this.header('hx-redirect', url).send('');
      return this.redirect(url, 303);
    });

    app.decorateReply('sendDocument', function (this: FastifyReply, html: string) {
      return this.header('content-security-policy', DOCUMENT_POLICY).type('text/html; charset=utf-8').send(html);
    });

    app.decorateReply('sendPdf', function (this: FastifyReply, pdf: Buffer, fileName: string) {
      return this.type('application/pdf')
        .header('content-disposition', `inline; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
        .send(pdf);
    });

    app.decorateReply('render', async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}, options: RenderOptions = {}) {
      const request = this.request;
      const status = options.status ?? this.statusCode ?? 200;
      const title = options.title ?? (data.title as string | undefined) ?? '';
      if (options.bare) {
        const html = await this.viewAsync(template, data);
        return this.code(status).type('text/html; charset=utf-8').send(html);
      }
      const locals = {
        ...data,
        title,
        // A form sent back with errors, or an error page, says so in the tab's title too: it is what
        // a screen reader reads first on the new page (RGAA 8.6).
        documentTitle: status >= 400 ? `Erreur : ${title}` : title,
        account: request.account ?? null,
        currentCentre: request.centre ?? null,
        // Every page of a suspended centre says so, above its own content (issue 16).
        suspensionNotice: request.centre?.status === 'suspended' ? suspensionNotice(request.centre.suspensionReason) : null,
        managerCentres: request.managerCentres ?? [],
        csrfToken: this.generateCsrf(),
        flashes: takeFlashes(request),
        plural,
        limits: LIMITS,
        contactEmail: request.server.config.contactEmail,
        currentPath: request.url.split('?')[0],
        helpAnchor: helpAnchorOf(request.url.split('?')[0] ?? ''),
      };
      const layout = wantsFragment(request) ? undefined : `layouts/${options.layout ?? 'main'}`;
      const html = await this.viewAsync(template, locals, layout ? { layout } : {});
      return this.code(status).type('text/html; charset=utf-8').send(html);
    });
  },
  { name: 'views', dependencies: ['session'] },
);

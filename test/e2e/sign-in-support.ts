/**
 * Signing in through the real forms in Chromium, second factor included: the code an
 * authenticator app would show is computed from the account's secret at the app's clock; an
 * administrator who has none yet enrols on the page, reading the secret off it as a person would.
 */
import type { FastifyInstance } from 'fastify';
import type { Page } from 'puppeteer';
import { ENROLMENT_PATH } from '../../src/plugins/auth.js';
import { currentTotp } from '../../src/services/accounts/second-factor.js';
import { DEMO_PASSWORD } from '../helpers/app.js';
import { freshTotp } from '../helpers/agents.js';

async function submit(page: Page, formSelector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click(`${formSelector} button[type="submit"]`)]);
}

const pathOf = (page: Page) => new URL(page.url()).pathname;

/** Reads the secret off the enrolment page and types the code an app would show; the page then lists the recovery codes. */
export async function enrolInBrowser(page: Page, app: FastifyInstance): Promise<void> {
  const shown = await page.$eval('.app-enrolment-secret', (e) => e.textContent ?? '');
  await page.type('#code', currentTotp(shown.replace(/\s/g, ''), app.clock));
  await submit(page, `form[action="${ENROLMENT_PATH}"]`);
}

/** Signs in through the forms and ends on the account's home page (or the page `suivant` named). */
export async function signInInBrowser(page: Page, base: string, app: FastifyInstance, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${base}/connexion`, { waitUntil: 'networkidle0' });
  await page.type('#email', email);
  await page.type('#mot_de_passe', password);
  await submit(page, 'form[action="/connexion"]');
  if (pathOf(page) === '/connexion/code') {
    await page.type('#code', await freshTotp({ app }, email));
    await submit(page, 'form[action="/connexion/code"]');
  }
  if (pathOf(page) === ENROLMENT_PATH) {
    await enrolInBrowser(page, app);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('.app-recovery-codes ~ p a')]);
  }
}

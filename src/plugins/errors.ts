import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { PublicError } from '../services/public-error.js';
import { MAX_UPLOAD_BYTES } from './uploads.js';

const MESSAGES: Record<number, { title: string; text: string }> = {
  400: { title: 'Requête invalide', text: 'La demande envoyée n’a pas pu être comprise.' },
  403: { title: 'Accès refusé', text: 'Vous n’avez pas les droits nécessaires pour accéder à cette page.' },
  404: { title: 'Page introuvable', text: 'La page demandée n’existe pas ou n’est plus disponible.' },
  413: { title: 'Envoi trop volumineux', text: 'Le formulaire envoyé dépasse la taille autorisée. Rien n’a été enregistré.' },
  429: { title: 'Trop de requêtes', text: 'Trop de demandes ont été envoyées. Patientez quelques instants puis réessayez.' },
  500: {
    title: 'Erreur du serveur',
    text: 'Une erreur inattendue s’est produite. Réessayez dans quelques instants ; si elle persiste, contactez l’assistance.',
  },
  503: { title: 'Service indisponible', text: 'Ce service est momentanément indisponible. Réessayez dans quelques instants.' },
};

// @fastify/multipart's codes for a file over the limit or too many files.
const UPLOAD_TOO_LARGE_CODES = new Set(['FST_REQ_FILE_TOO_LARGE', 'FST_FILES_LIMIT']);
const UPLOAD_TOO_LARGE = {
  title: 'Fichier trop volumineux',
  text: `Le fichier envoyé dépasse la taille autorisée (${MAX_UPLOAD_BYTES / 1024 / 1024} Mo). Rien n’a été enregistré.`,
};

export class HttpError extends PublicError {
  constructor(statusCode: number, message?: string) {
    super(statusCode, message ?? MESSAGES[statusCode]?.text ?? 'Erreur');
  }
}

export const notFound = () => new HttpError(404);

function layoutFor(request: FastifyRequest) {
  return request.url.startsWith('/examen') ? 'kiosk' : 'main';
}

async function renderError(request: FastifyRequest, reply: FastifyReply, status: number, text?: string, title?: string) {
  const fallback = MESSAGES[status] ?? MESSAGES[status >= 500 ? 500 : 400]!;
  const known = { title: title ?? fallback.title, text: fallback.text };
  if (!request.session) {
    // The session plugin never ran (e.g. a malformed request): answer without it.
    return reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(`${known.title}. ${text ?? known.text}`);
  }
  const layout = layoutFor(request);
  // On a terminal of the room, the way back is the exam's entry page (which resumes an exam in progress).
  const back = layout === 'kiosk' ? { href: '/examen', label: 'Revenir à l’examen' } : { href: '/', label: 'Revenir à l’accueil' };
  return reply.render('errors/error', { status, heading: known.title, text: text ?? known.text, back }, { status, title: known.title, layout });
}

/** The one error handler and the one 404 handler: every error becomes a French page. */
export default fp(
  async (app) => {
    app.setNotFoundHandler(async (request, reply) => renderError(request, reply, 404));

    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      if (error.code && UPLOAD_TOO_LARGE_CODES.has(error.code)) {
        return renderError(request, reply, 413, UPLOAD_TOO_LARGE.text, UPLOAD_TOO_LARGE.title);
      }
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      const text = error instanceof PublicError ? error.message : undefined;
      try {
        return await renderError(request, reply, status, text);
      } catch (renderFailure) {
        request.log.error({ err: renderFailure }, 'error page failed to render');
        return reply.code(status).type('text/plain; charset=utf-8').send(MESSAGES[500]!.text);
      }
    });
  },
  { name: 'errors', dependencies: ['views'] },
);

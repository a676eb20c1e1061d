import type { FastifyInstance } from 'fastify';
import { hasIdentityProvider } from '../../../config.js';
import { HttpError } from '../../../plugins/errors.js';
import { LIMITS } from '../../../plugins/views.js';
import { renderDocument } from '../../../services/pdf/documents.js';

const MANUAL_TITLE = 'Mode d’emploi de la plateforme QCM-AIPR';
/** After a failed render, how long the PDF is refused without trying again. */
const RETRY_AFTER_MS = 60_000;

interface ManualSection {
  id: string;
  title: string;
  subsections: { id: string; title: string }[];
}

/**
 * The manual's table of contents, read from its own h2 and h3: the page's summary and the PDF's
 * stay those of the text. Titles are kept as the template escaped them, to be written back as HTML.
 */
function manualSections(html: string): ManualSection[] {
  const sections: ManualSection[] = [];
  for (const [, level, id, title] of html.matchAll(/<h([23]) id="([^"]+)">([^<]+)<\/h\1>/g)) {
    if (level === '2') sections.push({ id: id!, title: title!, subsections: [] });
    else sections.at(-1)?.subsections.push({ id: id!, title: title! });
  }
  return sections;
}

/** « 312 Ko », « 1,2 Mo »: a download's size as the DSFR's download links state it. */
function fileSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} Ko`;
  return `${new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024))} Mo`;
}

/** The manual as one page, and as one PDF: the same text (views/public/help/manual.eta). */
export default async function helpRoutes(app: FastifyInstance) {
  // The manual depends on the configuration alone, never on who reads it: the PDF is the same for
  // the whole process, rendered by the first request that asks for it.
  const { config } = app;
  const manualData = { limits: LIMITS, sso: hasIdentityProvider(config), localSignIn: config.localSignIn, contactEmail: config.contactEmail };
  const manualHtml = (): Promise<string> => app.view('public/help/manual', manualData);

  let pdf: Promise<Buffer> | null = null;
  let pdfBytes: number | null = null;
  let failedAt: number | null = null;

  async function renderManualPdf(): Promise<Buffer> {
    const body = await manualHtml();
    const html = renderDocument('manual/document', { title: MANUAL_TITLE, sections: manualSections(body), body });
    const rendered = await app.browserPool.htmlToPdf(html, { title: MANUAL_TITLE, author: 'QCM-AIPR', subject: 'Mode d’emploi des centres d’examen et de l’administration nationale' });
    pdfBytes = rendered.length;
    return rendered;
  }

  app.get('/aide', async (_request, reply) => {
    const body = await manualHtml();
    return reply.render(
      'public/help/index',
      { manual: body, sections: manualSections(body), pdfSize: pdfBytes === null ? null : fileSize(pdfBytes) },
      { title: 'Aide' },
    );
  });

  // Public and costly (a page of the one browser, which the centres' attestations need): the first
  // requests share one render; after a failure, the next minute's requests are refused without
  // trying, so that anonymous visitors cannot keep the pool busy with renders bound to fail.
  app.get('/aide/manuel.pdf', async (_request, reply) => {
    if (!pdf && failedAt !== null && app.clock.now().getTime() - failedAt < RETRY_AFTER_MS) {
      throw new HttpError(503, 'Le manuel imprimable est momentanément indisponible. Réessayez dans une minute, ou lisez-le sur la page « Aide ».');
    }
    pdf ??= renderManualPdf().catch((err: unknown) => {
      pdf = null;
      failedAt = app.clock.now().getTime();
      throw err;
    });
    return reply.sendPdf(await pdf, 'manuel-qcm-aipr.pdf');
  });
}

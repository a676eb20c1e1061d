import type { CentreStatus } from '../../../domain/statuses.js';
import type { FastifyRequest } from 'fastify';
import { formatCentreId } from '../../../domain/centre-id.js';
import { HttpError } from '../../../plugins/errors.js';
import { centresOfManager } from './queries.js';

export interface CurrentCentre {
  id: number;
  code: string;
  name: string;
  status: CentreStatus;
  suspensionReason: string | null;
  lowStockThreshold: number;
}

declare module 'fastify' {
  interface Session {
    /** The centre a manager with several centres is working on (switched in the header). */
    currentCentreId?: number;
  }
  interface FastifyRequest {
    /** In the manager area: the centre every query is scoped to. */
    centre: CurrentCentre | null;
    /** In the manager area: every centre of the signed-in manager, for the header's switcher. */
    managerCentres: { id: number; code: string; name: string }[];
  }
}

/**
 * The one authorisation scope of the manager area: the centre chosen among the manager's own.
 * Every query of the area filters on `request.centre.id`, so another centre's rows are never found
 * (and their URLs answer 404).
 */
export async function resolveCurrentCentre(request: FastifyRequest): Promise<void> {
  const account = request.account!;
  const app = request.server;
  const rows = account.centreIds.length ? await centresOfManager(app.db, account.centreIds) : [];
  request.managerCentres = rows.map((r) => ({ id: r.id, code: formatCentreId(r.id), name: r.name }));
  const chosen = rows.find((r) => r.id === request.session.currentCentreId) ?? rows[0];
  if (!chosen) {
    if (request.url.split('?')[0] === '/centre') return;
    throw new HttpError(403, 'Votre compte n’est rattaché à aucun centre d’examen. Contactez l’administration nationale.');
  }
  request.centre = {
    id: chosen.id,
    code: formatCentreId(chosen.id),
    name: chosen.name,
    status: chosen.status,
    suspensionReason: chosen.suspension_reason,
    lowStockThreshold: chosen.low_stock_threshold,
  };
}

/** The current centre, for handlers that only run once resolveCurrentCentre found one. */
export function centreOf(request: FastifyRequest): CurrentCentre {
  if (!request.centre) throw new HttpError(403, 'Votre compte n’est rattaché à aucun centre d’examen. Contactez l’administration nationale.');
  return request.centre;
}

/**
 * A CAS 2.0 server on a loopback port, for the tests of the sign-in through Cerbère's CAS: its login
 * form, its logout and the validation of service tickets, as the protocol describes them
 * (https://apereo.github.io/cas/7.0.x/protocol/CAS-Protocol-Specification.html, 2.1, 2.3 and 2.5).
 * No CAS server runs in Node, hence this one. It keeps no single sign-on session: each login asks again.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Teardown } from './app.js';
import { escapeHtml } from './html.js';
import { page, send } from './provider-http.js';

export interface TestCasServer {
  /** Base URL as the app's CAS_URL takes it, e.g. 'http://127.0.0.1:PORT/cas/public'. */
  url: string;
  /** Issues a service ticket for `user` and `service` directly (as if the login form had been filled), for HTTP tests. */
  issueTicket(user: string, service: string): string;
  /** Every /serviceValidate request received (service, ticket; '' when absent), for the tests to assert on. */
  readonly validations: { service: string; ticket: string }[];
  close(): Promise<void>;
}

const BASE_PATH = '/cas/public';
/** The protocol's recommended upper bound for a service ticket's validity (3.1.2). */
const TICKET_TTL_MS = 5 * 60 * 1000;

/** The server on a free loopback port, closed when `t` ends; `users` are the CAS user ids it knows (e-mail addresses). */
export async function startCasServer(t: Teardown, options: { users: string[] }): Promise<TestCasServer> {
  const tickets = new Map<string, { user: string; service: string; issuedAt: number }>();
  const validations: { service: string; ticket: string }[] = [];

  const issueTicket = (user: string, service: string): string => {
    if (!options.users.includes(user)) throw new Error(`unknown CAS user: ${user}`);
    // 27 characters: every CAS client must take tickets of up to 32 (3.1.1).
    const ticket = `ST-${randomBytes(12).toString('hex')}`;
    tickets.set(ticket, { user, service, issuedAt: Date.now() });
    return ticket;
  };

  /** The XML answer to /serviceValidate. A ticket is validated once, whatever the outcome (3.1.1). */
  const validate = (params: URLSearchParams): string => {
    const service = params.get('service');
    const ticket = params.get('ticket');
    validations.push({ service: service ?? '', ticket: ticket ?? '' });
    if (!service || !ticket) return failure('INVALID_REQUEST', 'serviceValidate requires both service and ticket parameters');
    const issued = tickets.get(ticket);
    tickets.delete(ticket);
    if (!issued || Date.now() - issued.issuedAt > TICKET_TTL_MS) return failure('INVALID_TICKET', `Ticket '${ticket}' not recognized`);
    if (issued.service !== service) return failure('INVALID_SERVICE', `Ticket '${ticket}' does not match supplied service`);
    return serviceResponse(`<cas:authenticationSuccess>\n    <cas:user>${escapeXml(issued.user)}</cas:user>\n  </cas:authenticationSuccess>`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const route = `${req.method} ${url.pathname}`;
    if (route === `GET ${BASE_PATH}/login`) return send(res, 200, loginPage(url.searchParams.get('service')));
    if (route === `POST ${BASE_PATH}/login`) {
      const form = new URLSearchParams(Buffer.concat(await req.toArray()).toString());
      const username = form.get('username') ?? '';
      const service = form.get('service') || null;
      if (!options.users.includes(username)) return send(res, 401, loginPage(service, username));
      if (!service) return send(res, 200, page('Connexion à Cerbère', '<p>Vous êtes connecté à Cerbère.</p>'));
      return redirect(res, `${service}${service.includes('?') ? '&' : '?'}ticket=${issueTicket(username, service)}`);
    }
    if (route === `GET ${BASE_PATH}/serviceValidate`) {
      const xml = validate(url.searchParams);
      res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', 'content-length': Buffer.byteLength(xml) });
      return void res.end(xml);
    }
    if (route === `GET ${BASE_PATH}/logout`) {
      const service = url.searchParams.get('service');
      return service ? redirect(res, service) : send(res, 200, page('Déconnexion', '<p>Vous êtes déconnecté de Cerbère.</p>'));
    }
    send(res, 404, page('Page introuvable', '<p>Cette adresse n’existe pas sur Cerbère.</p>'));
  };

  const server = createServer((req, res) => {
    handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, page('Erreur', `<p>${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  t.teardown(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${BASE_PATH}`, issueTicket, validations, close };
}

/** The body of every /serviceValidate answer (2.5.2). */
function serviceResponse(inner: string): string {
  return `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">\n  ${inner}\n</cas:serviceResponse>\n`;
}

function failure(code: 'INVALID_REQUEST' | 'INVALID_TICKET' | 'INVALID_SERVICE', message: string): string {
  return serviceResponse(`<cas:authenticationFailure code="${code}">${escapeXml(message)}</cas:authenticationFailure>`);
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * XML's own five entities: a character reference such as escapeHtml's &#39; is valid XML too, but
 * fast-xml-parser leaves it undecoded unless told (htmlEntities).
 */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

function loginPage(service: string | null, refused?: string): string {
  const error = refused === undefined ? '' : `<p id="username-erreur" role="alert">Identifiant inconnu : « ${escapeHtml(refused)} ».</p>`;
  return page(
    'Connexion à Cerbère',
    `<form method="post" action="${BASE_PATH}/login">
${service === null ? '' : `<input type="hidden" name="service" value="${escapeHtml(service)}">`}
<label for="username">Identifiant Cerbère</label>
<input type="text" id="username" name="username" value="${escapeHtml(refused ?? '')}" autocomplete="username" required${error && ' aria-invalid="true" aria-describedby="username-erreur"'}>
${error}
<button type="submit">Se connecter</button>
</form>`,
  );
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'content-length': 0 });
  res.end();
}

import type { ServerResponse } from 'node:http';

// What the tests' identity providers (oidc-provider.ts, cas-server.ts) and the tests that walk
// through them share: their minimal French pages, and a browser's way through their redirects.

/** A minimal valid French page: a title, a main landmark, its heading. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1>${title}</h1>
${body}
</main></body>
</html>
`;
}

export function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

export interface Answer {
  status: number;
  /** The Location header, resolved against the request's URL. */
  location: URL | null;
  body: string;
}

/**
 * A browser's way through a provider's redirects: its cookies kept and sent back (one host, so
 * sending each everywhere does no harm), redirects returned rather than followed.
 */
export class Browser {
  private cookies = new Map<string, string>();

  async request(url: URL, form?: Record<string, string>): Promise<Answer> {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      body: form && new URLSearchParams(form),
      headers: { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      redirect: 'manual',
    });
    for (const header of res.headers.getSetCookie()) {
      const [, name, value] = /^([^=]+)=([^;]*)/.exec(header) ?? [];
      // A provider clears a cookie with an empty value (and a date in the past).
      if (name && value) this.cookies.set(name, value);
      else if (name) this.cookies.delete(name);
    }
    const location = res.headers.get('location');
    return { status: res.status, location: location === null ? null : new URL(location, url), body: await res.text() };
  }

  /** Expects a redirect and returns where it leads. */
  async redirected(url: URL, form?: Record<string, string>): Promise<URL> {
    const answer = await this.request(url, form);
    if (answer.status !== 303 || !answer.location) throw new Error(`${url.href}: ${answer.status} instead of a redirect\n${answer.body}`);
    return answer.location;
  }
}

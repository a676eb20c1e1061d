/**
 * What a terminal must offer the kiosk, checked by the centre before a session (/examen/diagnostic).
 * The measures come from the terminal's browser; the verdict is decided here, the same for every
 * terminal. Without JavaScript only the cookies are measured: the page says what it could not check.
 */

/** The kiosk is laid out for 1024×600 (old PCs) and 768×1024 (tablets): a smaller window scrolls the answers away. */
export const MIN_WINDOW = { width: 768, height: 500 };
/** Beyond this, the end time the kiosk shows (« fin à 10 h 30 ») no longer matches the terminal's own clock. */
export const MAX_CLOCK_SKEW_MS = 60_000;
/** Saving an answer is one round trip: beyond this, a candidate waits visibly after each click. */
export const MAX_ROUND_TRIP_MS = 500;
/** The exam page's style sheet and scripts, fetched afresh: the page budget of an old terminal on a slow network. */
export const MAX_ASSETS_LOAD_MS = 2_000;
/**
 * The kiosk's page budget: a question page's first load (the page, its style sheet and its scripts,
 * compressed as the server sends them) weighs at most this (test/areas/kiosk/page-weight.test.ts). On
 * a terminal, more than this for the style sheet and scripts alone means the compression did not
 * reach it (a proxy or an antivirus of the centre's network removes it).
 */
export const PAGE_BUDGET_BYTES = 30 * 1024;

export interface TerminalMeasures {
  cookies: boolean;
  /**
   * Null without JavaScript, 'limited' when a script ran but the browser lacks what measures (fetch,
   * performance timings): nothing below could be measured then.
   */
  script: ScriptMeasures | 'limited' | null;
}

export interface ScriptMeasures {
  window: { width: number; height: number };
  /** Terminal clock minus server clock, in ms (positive: the terminal is ahead). */
  clockSkewMs: number;
  /** The shortest of several round trips to the server, in ms. */
  roundTripMs: number;
  assetsLoadMs: number;
  /** As received (compressed); null when the browser does not tell. */
  assetsBytes: number | null;
}

export type CheckKey = 'cookies' | 'javascript' | 'ecran' | 'horloge' | 'reseau' | 'poids';

export interface Check {
  key: CheckKey;
  label: string;
  /** 'ok', 'a-corriger' (the exam cannot run well), 'information' (nothing to fix, something to know). */
  status: 'ok' | 'a-corriger' | 'information';
  /** What was measured, in French. */
  found: string;
  /** What to do, when something is to fix or to know. */
  advice: string | null;
}

export interface TerminalVerdict {
  ready: boolean;
  checks: Check[];
}

const integer = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** « 2 min 05 s », « 45 s », « 0,8 s » */
export function describeDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 10_000) return `${decimal.format(abs / 1000)} s`;
  const seconds = Math.round(abs / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return `${minutes} min ${String(rest).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

function clockCheck(skewMs: number): Check {
  const label = 'Horloge du poste';
  if (Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS) {
    return { key: 'horloge', label, status: 'ok', found: `à l’heure du serveur (écart ${describeDuration(skewMs)})`, advice: null };
  }
  const way = skewMs > 0 ? 'avance' : 'retarde';
  return {
    key: 'horloge',
    label,
    status: 'a-corriger',
    found: `l’horloge du poste ${way} de ${describeDuration(skewMs)} sur celle du serveur`,
    advice:
      'Mettez le poste à l’heure (réglage automatique de la date et de l’heure) : l’heure de fin affichée aux candidats doit correspondre à l’horloge qu’ils voient.',
  };
}

/** The verdict for one terminal: ready when nothing is to fix. */
export function assessTerminal(m: TerminalMeasures): TerminalVerdict {
  const checks: Check[] = [
    m.cookies
      ? { key: 'cookies', label: 'Cookies', status: 'ok', found: 'acceptés', advice: null }
      : {
          key: 'cookies',
          label: 'Cookies',
          status: 'a-corriger',
          found: 'refusés par le navigateur',
          advice: 'Autorisez les cookies pour ce site : sans eux, le poste ne peut être admis à la session ni garder l’examen en cours.',
        },
  ];
  const s = m.script;
  if (s === 'limited') {
    checks.push({
      key: 'javascript',
      label: 'JavaScript',
      status: 'information',
      found: 'activé, dans un navigateur trop ancien pour les mesures',
      advice:
        'L’examen fonctionne dans ce navigateur, mais l’écran, l’horloge et le réseau n’ont pas pu être mesurés : mettez-le à jour si possible, et vérifiez l’heure du poste par rapport à celle indiquée sur cette page.',
    });
    return { ready: m.cookies, checks };
  }
  if (!s) {
    checks.push({
      key: 'javascript',
      label: 'JavaScript',
      status: 'information',
      found: 'désactivé',
      advice:
        'L’examen fonctionne sans JavaScript : chaque réponse est enregistrée quand le candidat passe à une autre question. Avec JavaScript, elle l’est dès le clic, et le temps restant défile. L’écran, l’horloge et le réseau n’ont pas pu être mesurés : vérifiez l’heure du poste par rapport à celle indiquée sur cette page.',
    });
    return { ready: m.cookies, checks };
  }
  checks.push({ key: 'javascript', label: 'JavaScript', status: 'ok', found: 'activé', advice: null });
  const { width, height } = s.window;
  checks.push(
    width >= MIN_WINDOW.width && height >= MIN_WINDOW.height
      ? { key: 'ecran', label: 'Taille de la fenêtre', status: 'ok', found: `${integer.format(width)} × ${integer.format(height)} pixels`, advice: null }
      : {
          key: 'ecran',
          label: 'Taille de la fenêtre',
          status: 'a-corriger',
          found: `${integer.format(width)} × ${integer.format(height)} pixels (attendu : ${MIN_WINDOW.width} × ${MIN_WINDOW.height} au moins)`,
          advice: 'Agrandissez la fenêtre du navigateur (plein écran : touche F11), réduisez le zoom (Ctrl et 0), ou utilisez un autre poste.',
        },
  );
  checks.push(clockCheck(s.clockSkewMs));
  checks.push(
    s.roundTripMs <= MAX_ROUND_TRIP_MS
      ? { key: 'reseau', label: 'Temps de réponse du serveur', status: 'ok', found: `${integer.format(s.roundTripMs)} ms`, advice: null }
      : {
          key: 'reseau',
          label: 'Temps de réponse du serveur',
          status: 'a-corriger',
          found: `${integer.format(s.roundTripMs)} ms (attendu : ${MAX_ROUND_TRIP_MS} ms au plus)`,
          advice:
            'Le réseau de la salle est trop lent : rapprochez le poste du point d’accès Wi-Fi, branchez-le par câble, ou limitez les autres usages du réseau pendant la session.',
        },
  );
  const label = 'Chargement des pages d’examen';
  const took = describeDuration(s.assetsLoadMs);
  const loaded =
    s.assetsBytes === null ? `en ${took} (poids non indiqué par ce navigateur)` : `${integer.format(Math.ceil(s.assetsBytes / 1024))} Ko en ${took}`;
  if (s.assetsBytes !== null && s.assetsBytes > PAGE_BUDGET_BYTES) {
    checks.push({
      key: 'poids',
      label,
      status: 'a-corriger',
      found: `${loaded} (attendu : ${PAGE_BUDGET_BYTES / 1024} Ko au plus)`,
      advice:
        'Les pages arrivent sans compression sur ce poste : un proxy ou un antivirus du réseau du centre la retire. Demandez à votre prestataire informatique de laisser passer la compression (gzip) pour ce site.',
    });
  } else if (s.assetsLoadMs > MAX_ASSETS_LOAD_MS) {
    checks.push({
      key: 'poids',
      label,
      status: 'a-corriger',
      found: `${loaded} (attendu : ${describeDuration(MAX_ASSETS_LOAD_MS)} au plus)`,
      advice: 'Les pages se chargent trop lentement sur ce poste : vérifiez le réseau, fermez les autres programmes, ou utilisez un poste plus récent.',
    });
  } else {
    checks.push({ key: 'poids', label, status: 'ok', found: loaded, advice: null });
  }
  return { ready: checks.every((c) => c.status !== 'a-corriger'), checks };
}

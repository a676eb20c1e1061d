import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, the same from the sources (src/) and from the compiled output (dist/src/). */
function findRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join('dist', 'src')}`) ? join(here, '..', '..') : join(here, '..');
}

export const ROOT_DIR = findRoot();
export const VIEWS_DIR = join(ROOT_DIR, 'views');
export const PUBLIC_DIR = join(ROOT_DIR, 'public');
export const DEMO_DIR = join(ROOT_DIR, 'demo');
export const NODE_MODULES_DIR = join(ROOT_DIR, 'node_modules');

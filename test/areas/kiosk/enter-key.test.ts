/**
 * Enter on a question page (issue 16), as served: a browser's Enter sends the form as its first
 * submit control, so on every question that control is the forward one (« Suivante », or
 * « Terminer » on the last question), kept out of sight, of the Tab order and of screen readers,
 * while the visible buttons keep their order. The browser's own behaviour is in
 * test/e2e/kiosk-enter-key.test.ts.
 */
import t from 'tap';
import { visibleText } from '../../helpers/html.js';
import { answer, startCandidate } from '../../helpers/kiosk.js';
import { examItems, kioskRoom } from '../../helpers/kiosk-room.js';

interface SubmitControl {
  tag: string;
  name: string | null;
  value: string | null;
  label: string;
  attributes: string;
}

/** The submit controls of the question form, in the order of the page (the order the browser picks its default from). */
function submitControls(html: string): SubmitControl[] {
  const form = /<form[^>]*class="k-question"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  return [...form.matchAll(/<button\b([^>]*\btype="submit"[^>]*)>([\s\S]*?)<\/button>|<input\b([^>]*\btype="submit"[^>]*)>/g)].map((m) => {
    const attributes = m[1] ?? m[3]!;
    return {
      tag: m[1] === undefined ? 'input' : 'button',
      name: /\bname="([^"]*)"/.exec(attributes)?.[1] ?? null,
      value: /\bvalue="([^"]*)"/.exec(attributes)?.[1] ?? null,
      label: visibleText(m[2] ?? ''),
      attributes,
    };
  });
}

t.test('the first submit control of every question goes forward, unseen; the visible buttons keep their order', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  const total = (await examItems(room.db, examId)).length;
  const cases = [
    { n: 1, visible: ['Vue d’ensemble', 'Suivante →'], forward: 'suivante' },
    { n: 2, visible: ['← Précédente', 'Vue d’ensemble', 'Suivante →'], forward: 'suivante' },
    { n: total, visible: ['← Précédente', 'Vue d’ensemble', 'Terminer'], forward: 'terminer' },
  ];
  for (const { n, visible, forward } of cases) {
    const page = await agent.get(`/examen/question/${n}`);
    t.equal(page.statusCode, 200);
    const [first, ...rest] = submitControls(page.body);
    t.ok(first, `question ${n} has submit controls`);
    if (!first) continue;
    t.same([first.name, first.value], ['aller', forward], `question ${n}: Enter sends aller=${forward}`);
    t.match(first.attributes, /\bclass="k-default-submit"/, 'out of sight');
    t.match(first.attributes, /\btabindex="-1"/, 'out of the Tab order');
    t.match(first.attributes, /\baria-hidden="true"/, 'hidden from screen readers');
    t.same(
      rest.map((c) => c.label),
      visible,
      `question ${n}: the visible buttons, in the order of the page`,
    );
    t.same(
      rest.map((c) => c.tag),
      visible.map(() => 'button'),
      'they alone are buttons',
    );
    const shown = rest.at(-1)!;
    t.same([shown.name, shown.value], [first.name, first.value], `Enter does what « ${shown.label} » does`);
  }

  // What Enter sends leads forward: to the next question, or to the confirmation of the end.
  t.equal((await answer(agent, 2, { seq: 1, choix: '1', aller: 'suivante' })).headers.location, '/examen/question/3');
  t.equal((await answer(agent, total, { seq: 1, choix: '1', aller: 'terminer' })).headers.location, '/examen/terminer');
});

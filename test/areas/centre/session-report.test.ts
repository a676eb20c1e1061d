import t from 'tap';
import { findBrowser } from '../../../src/services/pdf/browser-path.js';
import { accountAgent, managerAgent } from '../../helpers/agents.js';
import { insertCentre } from '../../helpers/exam-fixtures.js';
import { visibleText } from '../../helpers/html.js';
import { answer, startCandidate } from '../../helpers/kiosk.js';
import { kioskRoom } from '../../helpers/kiosk-room.js';
import { flat, pdfTools } from '../../helpers/pdf-tools.js';
import { answerEverythingRight } from '../../../src/operator/seed-demo-history.js';
import { finishExam } from '../../../src/services/exam/lifecycle.js';

t.setTimeout(115_000);

const browserPath = await findBrowser(null);
const { text: pdfText, info: pdfInfo } = await pdfTools(t);

t.test(
  'the session report, read back from its PDF: centre, session, each candidate with result and attestation, every incident, the signature box',
  async (t) => {
    t.type(browserPath, 'string', 'a Chromium is there (the PDF tests never skip)');
    const room = await kioskRoom(t, { browserPath });
    const boss = await managerAgent(room.testApp, { ip: '10.20.0.50' });
    const zoe = await startCandidate(room);
    await answerEverythingRight(room.db, zoe.examId);
    await finishExam(room.db, room.clock, zoe.examId, 'candidat');
    const theo = await startCandidate(room, { identity: { nom: 'Durand', prenom: 'Théo', date_naissance: '1999-09-10', entreprise: '' } });
    await answer(theo.agent, 1, { seq: 1, choix: '1' }, true);

    await boss.get(`/centre/sessions/${room.sessionId}`);
    room.clock.advance(5 * 60_000);
    await boss.post(`/centre/sessions/${room.sessionId}/incidents`, { incident: 'Coupure de courant de 3 minutes, salle entière.' });
    room.clock.advance(60_000);
    await boss.get(`/centre/examens/${theo.examId}/annulation`);
    await boss.post(`/centre/examens/${theo.examId}/annulation`, { motif: 'Usurpation d’identité constatée' });

    const page = await boss.get(`/centre/sessions/${room.sessionId}`);
    t.match(page.body, `href="/centre/sessions/${room.sessionId}/proces-verbal.pdf"`, 'the session page offers it');

    const preview = await boss.get(`/centre/sessions/${room.sessionId}/proces-verbal`);
    t.equal(preview.statusCode, 200);
    t.match(visibleText(preview.body), 'Procès-verbal de session d’examen AIPR');

    const res = await boss.get(`/centre/sessions/${room.sessionId}/proces-verbal.pdf`);
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-type'], 'application/pdf');
    t.match(res.headers['content-disposition'], /^inline; filename="proces-verbal-centre0001-2026-11-29-session-\d+\.pdf"$/);
    const text = flat(await pdfText(res.rawPayload));
    const number = (await room.db.selectFrom('attestations').select('number').where('exam_id', '=', zoe.examId).executeTakeFirstOrThrow()).number;
    for (const expected of [
      'PROCÈS-VERBAL DE SESSION D’EXAMEN AIPR',
      'centre d’examen centre0001',
      'dimanche 29 novembre 2026',
      'Surveillant',
      'Candidats (2, dont 1 admis)',
      'LEFÈVRE Zoé',
      number,
      'Admis',
      'DURAND Théo',
      'Annulé',
      'Coupure de courant de 3 minutes, salle entière.',
      'Usurpation d’identité constatée',
      'Le surveillant',
      'date, signature et cachet',
    ]) {
      t.ok(text.includes(expected), `the PDF says « ${expected} »`);
    }
    t.ok(text.indexOf('Coupure de courant') < text.indexOf('Usurpation'), 'the incidents in their order');
    const info = await pdfInfo(res.rawPayload);
    t.match(info.Title, /^Procès-verbal de la session du 29\/11\/2026 — centre0001$/);
    const audit = await room.db.selectFrom('audit_log').select(['target_id', 'details']).where('action', '=', 'session.proces_verbal_imprime').execute();
    t.same(audit, [{ target_id: String(room.sessionId), details: JSON.stringify({ candidats: 2 }) }], 'printing it is audited');

    await insertCentre(room.db, room.clock, { id: 2, name: 'Autre centre' });
    const other = await accountAgent(room.testApp, { email: 'autre@centre.test', role: 'manager', centres: [2] });
    t.equal((await other.get(`/centre/sessions/${room.sessionId}/proces-verbal.pdf`)).statusCode, 404, 'another centre’s report: 404');
    t.equal((await other.get(`/centre/sessions/${room.sessionId}/proces-verbal`)).statusCode, 404);
  },
);

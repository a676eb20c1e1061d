import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig } from './config.js';
import { DatabaseUnreachableError } from './db/connection.js';
import { CLI_ACTOR } from './services/audit.js';
import { isPlausibleEmail } from './domain/email.js';
import { plural } from './domain/french.js';
import { upsertAccountWithPassword } from './services/accounts/accounts.js';
import { findAccountByEmail } from './services/accounts/queries.js';
import { passwordProblem } from './services/accounts/passwords.js';
import { removeSecondFactor } from './services/accounts/second-factor.js';
import { describeBankError } from './domain/bank/index.js';
import { decodeUpload, importQuestionnaire, type BankSource } from './areas/admin/questionnaires/lifecycle.js';
import { backupDatabase } from './operator/backup.js';
import { generateTokens } from './operator/generate-tokens.js';
import { purgePersonalData } from './services/personal-data.js';
import { describePurge } from './domain/retention.js';
import { openMigratedDatabase } from './operator/open.js';
import { describeDemoLogins, generateDemoPassword, seedDemo } from './operator/seed-demo.js';

const USAGE = `Usage : npm run cli -- <commande>
  seed-demo [--password P] [--production]  données de démonstration (idempotent ; mot de passe
                                           tiré au hasard et affiché, sauf --password P)
  create-admin <email> [--password-stdin] [--promote]
                                           compte d'administration nationale (--promote : celui d'un gestionnaire)
  reset-second-factor <email>              retire la double authentification d'un compte (téléphone et
                                           codes de secours perdus) ; un administrateur la reconfigure
                                           à sa connexion suivante
  import-questionnaire <fichier.json|fichier.csv> [--entete entete.json] [--publish]
                                           importe une banque (CSV : avec son en-tête JSON)
  generate-tokens --centre centreXXXX --profil <profil> --count N
                                           table de jetons (affiche les codes ; sans quota quotidien)
  backup <fichier>                         copie cohérente de la base, même serveur en marche
                                           (PostgreSQL : par pg_dump, au format custom)
  purge-personal-data [--dry-run]          anonymise les identités dont la durée de conservation est
                                           écoulée (--dry-run : dit ce qui serait fait, sans rien changer)`;

class UsageError extends Error {}

const COMMANDS = new Set(['seed-demo', 'create-admin', 'reset-second-factor', 'import-questionnaire', 'generate-tokens', 'backup', 'purge-personal-data']);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || !COMMANDS.has(command)) throw new UsageError(command ? `Commande inconnue : ${command}` : 'Aucune commande indiquée.');
  const config = loadConfig();
  const { db } = await openMigratedDatabase(config);
  try {
    switch (command) {
      case 'seed-demo': {
        const { values } = parseArgs({ args: rest, options: { password: { type: 'string' }, production: { type: 'boolean' } } });
        if (config.nodeEnv === 'production' && !values.production) {
          throw new UsageError(
            'NODE_ENV=production : les données de démonstration (comptes, centre, examens fictifs) ne s’installent pas sur une plateforme en service. Pour une démonstration, relancez avec --production.',
          );
        }
        if (values.password !== undefined) {
          const problem = passwordProblem(values.password);
          if (problem) throw new UsageError(problem);
        }
        const logins = await seedDemo(db.kysely, systemClock, values.password ?? generateDemoPassword(), { history: true });
        console.log(describeDemoLogins(logins, config.publicUrl));
        return;
      }
      case 'create-admin': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { 'password-stdin': { type: 'boolean' }, nom: { type: 'string' }, promote: { type: 'boolean' } },
        });
        const email = positionals[0];
        if (!email || !isPlausibleEmail(email)) throw new UsageError('Indiquez une adresse électronique valide : create-admin <email>.');
        const existing = await findAccountByEmail(db.kysely, email);
        if (existing && existing.role !== 'admin' && !values.promote) {
          throw new UsageError(
            `${existing.email} est le compte d’un gestionnaire de centre. Pour en faire un compte d’administration nationale, relancez avec --promote.`,
          );
        }
        const generated = !values['password-stdin'];
        const password = generated ? randomBytes(18).toString('base64url') : await readStdin();
        const problem = passwordProblem(password);
        if (problem) throw new UsageError(problem);
        const account = await upsertAccountWithPassword(
          db.kysely,
          systemClock,
          { email, displayName: values.nom ?? email, role: 'admin', password },
          { actor: CLI_ACTOR },
        );
        console.log(`Compte d'administration ${account.created ? 'créé' : 'mis à jour'} : ${email}`);
        if (generated) console.log(`Mot de passe (à changer, affiché une seule fois) : ${password}`);
        return;
      }
      case 'reset-second-factor': {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
        const account = positionals[0] ? await findAccountByEmail(db.kysely, positionals[0]) : undefined;
        if (!account) throw new UsageError('Indiquez l’adresse électronique d’un compte existant : reset-second-factor <email>.');
        const removed = await removeSecondFactor(db.kysely, systemClock, account.id, { actor: CLI_ACTOR });
        console.log(
          removed
            ? `Double authentification retirée du compte ${account.email}${account.role === 'admin' ? ' : elle sera demandée de nouveau à sa prochaine connexion.' : '.'}`
            : `Le compte ${account.email} n’a pas de double authentification : rien à retirer.`,
        );
        return;
      }
      case 'import-questionnaire': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { publish: { type: 'boolean' }, entete: { type: 'string' } },
        });
        const file = positionals[0];
        if (!file) throw new UsageError('Indiquez le fichier de la banque : import-questionnaire <fichier>.');
        const read = (path: string) => {
          try {
            return decodeUpload(readFileSync(path));
          } catch {
            throw new UsageError(`Impossible de lire le fichier ${path} : vérifiez son chemin et ses droits.`);
          }
        };
        let source: BankSource;
        if (file.toLowerCase().endsWith('.csv')) {
          if (!values.entete) throw new UsageError('Une banque CSV s’importe avec son en-tête JSON : --entete <fichier.json>.');
          source = { format: 'csv', csv: read(file), header: read(values.entete) };
        } else {
          source = { format: 'json', text: read(file) };
        }
        const outcome = await importQuestionnaire(db.kysely, systemClock, source, {
          publish: values.publish ?? false,
          actor: CLI_ACTOR,
        });
        if (!outcome.ok) {
          console.error(`Banque refusée (${plural(outcome.errors.length, 'erreur')}), rien n'a été enregistré :`);
          for (const e of outcome.errors) console.error(`  - ${describeBankError(e)}`);
          process.exitCode = 1;
          return;
        }
        console.log(`Banque importée (questionnaire n° ${outcome.questionnaireId}) ${outcome.published ? 'et publiée' : 'en brouillon'}.`);
        return;
      }
      case 'generate-tokens': {
        const { values } = parseArgs({
          args: rest,
          options: { centre: { type: 'string' }, profil: { type: 'string' }, count: { type: 'string' } },
        });
        if (!values.centre || !values.profil || !values.count) {
          throw new UsageError('Indiquez --centre, --profil et --count.');
        }
        const count = Number(values.count);
        const outcome = await generateTokens(db.kysely, systemClock, { centreId: values.centre, profile: values.profil, count, actorLabel: 'CLI' });
        if (!outcome.ok) throw new UsageError(outcome.message);
        console.log(`Table n° ${outcome.batchId} : ${plural(outcome.codes.length, 'jeton')} pour ${outcome.centre}, ${outcome.questionnaire.title}`);
        for (const code of outcome.formattedCodes) console.log(code);
        return;
      }
      case 'backup': {
        const target = rest[0];
        if (!target) throw new UsageError('Indiquez le fichier de destination : backup <fichier>.');
        const file = await backupDatabase(db, target);
        console.log(`Sauvegarde écrite : ${file}`);
        return;
      }
      case 'purge-personal-data': {
        const { values } = parseArgs({ args: rest, options: { 'dry-run': { type: 'boolean' } } });
        const report = await purgePersonalData(db.kysely, systemClock, { dryRun: values['dry-run'] ?? false, actor: CLI_ACTOR });
        console.log(describePurge(report));
        return;
      }
    }
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(err.message);
    console.error(USAGE);
  } else if (err instanceof ConfigError) {
    console.error(`Configuration invalide : ${err.message}`);
  } else if (err instanceof DatabaseUnreachableError) {
    console.error(`Base de données injoignable : ${err.message}`);
  } else {
    console.error(err instanceof Error ? err.message : err);
  }
  process.exitCode = 1;
});

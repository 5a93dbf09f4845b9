import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, EXIT } from './cli-error.js';
import { toCurl } from './curl.js';
import { buildDelivery, PROVIDERS, SAMPLE_EVENTS } from './deliveries.js';
import { journalCommand } from './journal-commands.js';
import { generateKeyPairPem, writeKeyPair } from './keygen.js';
import { sendDelivery } from './send.js';
import packageJson from '../package.json' with { type: 'json' };

/** Where the program writes; injectable so tests and the demo can capture it. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

interface SigningOptions {
  secret?: string;
  key?: string;
  data?: string;
}

const samples = PROVIDERS.map((provider) => `  ${provider}: ${SAMPLE_EVENTS[provider].join(', ')}`).join('\n');

/** Builds the `crmhooks` program. `run` resolves to the exit code. */
export function createProgram(output: Output): Command {
  const program = new Command('crmhooks')
    .description('Send, sign and key-generate CRM webhook deliveries, signed exactly as each CRM signs them; find and replay the ones your journal kept.')
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) })
    .exitOverride()
    .version(packageJson.version, '-v, --version', 'print the version of @crmhooks/cli')
    .addHelpText(
      'after',
      `\nEvents with sample payloads:\n${samples}\n\nExit codes: 0 all answers 2xx, 1 a non-2xx answer, 2 bad arguments, 3 URL unreachable.`,
    );

  const signingOptions = (command: Command) =>
    command
      .argument('<provider>', `the CRM to imitate: ${PROVIDERS.join(', ')}`)
      .argument('<event>', 'event name, e.g. relation.created (SuperOffice), RelationCreate (HighLevel), contact.associationChange (HubSpot), list-entry.created (Attio), Associate (Dataverse)')
      .addOption(
        new Option(
          '--secret <secret>',
          'SuperOffice webhook secret ($SUPEROFFICE_WEBHOOK_SECRET), HubSpot client secret ($HUBSPOT_CLIENT_SECRET), Attio webhook secret ' +
            "($ATTIO_WEBHOOK_SECRET), or the key a Dataverse webhook was registered with ($DATAVERSE_WEBHOOK_KEY; sent in x-crmhooks-key)",
        ),
      )
      .option('--key <file>', 'Ed25519 private key (PEM) to sign HighLevel deliveries; see `crmhooks keygen`')
      .option('--data <file>', 'send this exact body instead of the sample payload');

  signingOptions(program.command('send'))
    .description('build a delivery, sign it as the CRM does, POST it, and print the answer')
    .requiredOption('--url <url>', 'the webhook endpoint, e.g. http://localhost:3000/webhooks/crm', parseUrl)
    .option('--repeat <n>', 'send the same delivery n times (to see duplicates handled once)', parseCount, 1)
    .action(async (provider: string, event: string, options: SigningOptions & { url: string; repeat: number }) => {
      const delivery = buildDelivery({ provider, event, url: options.url, ...(await signingInputs(provider, options)) });
      let rejected = 0;
      for (let attempt = 1; attempt <= options.repeat; attempt += 1) {
        const answer = await sendDelivery(options.url, delivery);
        const prefix = options.repeat > 1 ? `[${attempt}/${options.repeat}] ` : '';
        output.out(`${prefix}POST ${options.url} -> ${answer.status} ${answer.body}`);
        if (answer.status < 200 || answer.status > 299) rejected += 1;
      }
      if (rejected > 0) throw new CliError(`${rejected} of ${options.repeat} deliveries were not answered 2xx.`, EXIT.rejected);
    });

  signingOptions(program.command('sign'))
    .description('build and sign a delivery, and print its headers and a curl command instead of sending it')
    .option('--url <url>', 'URL for the curl command', parseUrl, 'http://localhost:3000/webhooks/crm')
    .action(async (provider: string, event: string, options: SigningOptions & { url: string }) => {
      const delivery = buildDelivery({ provider, event, url: options.url, ...(await signingInputs(provider, options)) });
      for (const [name, value] of Object.entries(delivery.headers)) output.out(`${name}: ${value}`);
      output.out('');
      output.out(toCurl(options.url, delivery));
    });

  program
    .command('keygen')
    .description('make an Ed25519 key pair for HighLevel-style test deliveries (trust public.pem in highlevel({ publicKeys }))')
    .option('--out <dir>', 'write private.pem and public.pem into this folder instead of printing them')
    .action(async (options: { out?: string }) => {
      if (options.out === undefined) {
        const pair = generateKeyPairPem();
        output.out(pair.privateKey.trimEnd());
        output.out(pair.publicKey.trimEnd());
        return;
      }
      const paths = await writeKeyPair(options.out).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(
          error.code === 'EEXIST' ? `${options.out} already holds a key pair; choose another --out folder.` : error.message,
        );
      });
      output.out(`private key: ${paths.privateKey}\npublic key:  ${paths.publicKey} (trust it in highlevel({ publicKeys }))`);
    });

  program.addCommand(journalCommand(output));
  return program;
}

/** Runs the program on `argv` (without node and script) and returns the exit code; never exits the process. */
export async function run(argv: readonly string[], output: Output): Promise<number> {
  try {
    await createProgram(output).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CliError) {
      output.err(`crmhooks: ${error.message}`);
      return error.exitCode;
    }
    const commander = error as { code?: string; exitCode?: number };
    if (commander.code === 'commander.helpDisplayed' || commander.code === 'commander.version') return EXIT.ok;
    if (commander.code === 'commander.help') return EXIT.ok;
    if (commander.code?.startsWith('commander.')) return EXIT.usage; // commander already printed the reason
    output.err(`crmhooks: ${(error as Error).message}`);
    return EXIT.usage;
  }
}

/** Where each provider's secret is read from when --secret is not given. */
const SECRET_ENV: Readonly<Record<string, string>> = {
  superoffice: 'SUPEROFFICE_WEBHOOK_SECRET',
  hubspot: 'HUBSPOT_CLIENT_SECRET',
  attio: 'ATTIO_WEBHOOK_SECRET',
  dataverse: 'DATAVERSE_WEBHOOK_KEY',
};

async function signingInputs(provider: string, options: SigningOptions): Promise<{ secret?: string; privateKey?: KeyObject; data?: string }> {
  const envName = SECRET_ENV[provider];
  const secret = options.secret ?? (envName === undefined ? undefined : process.env[envName]);
  return {
    ...(secret !== undefined && { secret }),
    ...(options.key !== undefined && { privateKey: await readPrivateKey(options.key) }),
    ...(options.data !== undefined && { data: await readText(options.data, '--data') }),
  };
}

async function readPrivateKey(file: string): Promise<KeyObject> {
  const pem = await readText(file, '--key');
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${key.asymmetricKeyType} key`);
    return key;
  } catch (error) {
    throw new CliError(`--key ${file} is not an Ed25519 private key in PEM (${(error as Error).message}).`);
  }
}

async function readText(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`${option} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`);
  }
}

function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return url.href;
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL, e.g. http://localhost:3000/webhooks/crm');
  }
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new InvalidArgumentError('expected a whole number from 1 to 1000');
  return count;
}

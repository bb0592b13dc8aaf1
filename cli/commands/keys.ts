import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { KeyringFile } from '../../codec/keyring';
import { rotateKeyring } from '../../codec/rotate-keyring';
import { CliError } from '../api-client';

/** Rotates the keyring file in place: written to a temp file (0600) and renamed, so a crash leaves the old or the new. */
export async function rotateKeyringFile(file: string): Promise<{ newKeyId: string; previous: string; keys: number }> {
  let parsed: KeyringFile;
  try {
    parsed = KeyringFile.parse(JSON.parse(await fs.readFile(file, 'utf8')));
  } catch (error) {
    throw new CliError(`keys.keyring_unreadable: ${file} is not a payload keyring (${(error as NodeJS.ErrnoException).code ?? 'invalid'})`, 2);
  }
  const { keyring, newKeyId } = rotateKeyring(parsed);
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(keyring, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await fs.rename(temp, file);
  return { newKeyId, previous: parsed.current, keys: Object.keys(keyring.keys).length };
}

/** `keys rotate`: a new payload key becomes current; workers pick it up when they restart. */
export function registerKeysCommands(program: Command, ctx: { dataDir: () => string }): void {
  const keys = program.command('keys').description('payload encryption keys');
  keys
    .command('rotate')
    .description('add a new payload key and make it current; old keys stay so old history still decrypts')
    .option('--file <file>', 'keyring JSON (default: <data dir>/secrets/payload-keys.json)')
    .action(async (opts: { file?: string }) => {
      const file = opts.file ?? path.join(ctx.dataDir(), 'secrets', 'payload-keys.json');
      const result = await rotateKeyringFile(file);
      process.stdout.write(`payload key ${result.newKeyId} is now current (was ${result.previous}; ${result.keys} keys kept). Restart workers and HTTP services to use it.\n`);
    });
}

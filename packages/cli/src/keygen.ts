import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An Ed25519 key pair in PEM, for signing HighLevel-style test deliveries. */
export function generateKeyPairPem(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Writes `private.pem` (owner-only) and `public.pem` into `directory`; returns their paths. */
export async function writeKeyPair(directory: string): Promise<{ publicKey: string; privateKey: string }> {
  const pair = generateKeyPairPem();
  await mkdir(directory, { recursive: true });
  const paths = { publicKey: join(directory, 'public.pem'), privateKey: join(directory, 'private.pem') };
  await writeFile(paths.privateKey, pair.privateKey, { mode: 0o600, flag: 'wx' });
  await writeFile(paths.publicKey, pair.publicKey, { flag: 'wx' });
  return paths;
}

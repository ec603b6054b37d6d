import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A secret the service makes for itself, kept in a file of DATA_DIR readable by its owner only
 * (0600): made on first use, the same afterwards, so that what it keys (card fingerprints,
 * hosted-page tokens) survives restarts, while no two installations share a key that is
 * written in public source. Several processes starting at once agree: the file appears whole,
 * by a hard link from a temporary file, and whoever links second reads the winner's.
 */
export function dataDirSecret(dataDir: string, name: string): string {
  const file = join(dataDir, `${name}.key`);
  try {
    return readSecret(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const candidate = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(candidate, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(candidate, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(candidate);
  }
  return readSecret(file);
}

function readSecret(file: string): string {
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 16) throw new Error(`${file} holds no usable secret; delete it to have a new one made (card fingerprints and open checkout links change)`);
  return secret;
}

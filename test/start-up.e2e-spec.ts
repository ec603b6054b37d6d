import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceProcess, freePort, runServiceToExit, startServiceProcess } from './support/service-process';

/** What a newcomer's `npm start` does, as a real process: the port, the logs, the banner, the generated secrets. */
describe('service start-up', () => {
  const dirs: string[] = [];
  const services: ServiceProcess[] = [];
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'payments-start-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(services.map((service) => service.kill()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function bannerOf(service: ServiceProcess): Promise<string[]> {
    for (let i = 0; i < 100 && !service.log().includes('API docs:'); i++) await sleep(50);
    return service.log().split('\n');
  }

  it('on a busy port says so in one line, exits 1 and writes nothing', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, resolve));
    const dataDir = join(newDataDir(), 'data');
    try {
      const { code, stderr, stdout } = await runServiceToExit({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });

      expect(code).toBe(1);
      expect(stderr).toBe(`port ${port} is already in use by another process: stop it, or start with PORT=<another port>\n`);
      expect(stdout).toBe('');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('logs JSON lines when stdout is not a terminal, and prints the generated sandbox tokens last', async () => {
    const service = await startServiceProcess({ DATA_DIR: newDataDir(), LOG_LEVEL: 'info' });
    services.push(service);

    const lines = (await bannerOf(service)).filter((line) => line !== '');
    const bannerStart = lines.findIndex((line) => line.startsWith('Sandbox account acc_stg_sandbox created.'));
    expect(bannerStart).toBeGreaterThan(0);
    for (const line of lines.slice(0, bannerStart)) expect(() => JSON.parse(line)).not.toThrow();
    const banner = lines.slice(bannerStart).join('\n');
    expect(banner).toMatch(/secret token: +st_stg_[A-Za-z0-9]{32}/);
    expect(banner).toContain('shown once');
    expect(lines[lines.length - 1]).toMatch(/^API docs: http:\/\/localhost:\d+\/docs$/);
  });

  it('generates the card fingerprint key once into DATA_DIR, readable by its owner only, and keeps it', async () => {
    const dataDir = newDataDir();
    const first = await startServiceProcess({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', LOG_LEVEL: 'silent' });
    services.push(first);
    const keyFile = join(dataDir, 'card-fingerprint.key');
    const key = readFileSync(keyFile, 'utf8');
    expect(key.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    await first.kill();

    const second = await startServiceProcess({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', LOG_LEVEL: 'silent' });
    services.push(second);
    expect(readFileSync(keyFile, 'utf8')).toBe(key);

    const elsewhere = newDataDir();
    const other = await startServiceProcess({ DATA_DIR: elsewhere, PAYMENTS_SANDBOX: 'false', LOG_LEVEL: 'silent' });
    services.push(other);
    expect(readFileSync(join(elsewhere, 'card-fingerprint.key'), 'utf8')).not.toBe(key);
    expect(readdirSync(elsewhere).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('uses CARD_FINGERPRINT_SECRET when it is set and writes no key file', async () => {
    const dataDir = newDataDir();
    const service = await startServiceProcess({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', LOG_LEVEL: 'silent', CARD_FINGERPRINT_SECRET: 'a-secret-of-16-or-more-characters' });
    services.push(service);
    expect(existsSync(join(dataDir, 'card-fingerprint.key'))).toBe(false);
  });
});

// The passphrase prompt on a real terminal: the CLI runs under a pseudo-terminal (`script`
// from util-linux), the passphrase is typed after the prompt appears, and what the terminal
// shows never holds it. Create asks twice; a mismatch, a wrong passphrase and Ctrl-C are
// clear errors that change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv } from '../../test/helpers/cli.ts';
import { missing } from '../../test/helpers/parts.ts';

const BIN = join(import.meta.dirname, '../../bin/sloth-kubernetes.js');
const PASS = 'typed-at-the-terminal-9c2e';

interface Session {
  /** Waits for `text` on the terminal, then types `keys`. */
  type(text: RegExp, keys: string): Promise<void>;
  done: Promise<{ code: number; screen: string }>;
}

/** `sloth-kubernetes ARGS` on a pseudo-terminal of its own. */
function terminal(dir: string, args: string[]): Session {
  const env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'state')}`, CI: undefined, TERM: 'dumb' });
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  const waiters: { text: RegExp; fire: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (!w.text.test(screen)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.fire();
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    check();
  });
  child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
  return {
    type: (text, keys) =>
      new Promise((resolve) => {
        waiters.push({ text, fire: () => child.stdin.write(keys, () => resolve()) });
        check();
      }),
    done: new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, screen }))),
  };
}

test('the passphrase typed at a terminal: asked twice on create, hidden, opens the stack; mismatch, wrong passphrase and Ctrl-C are clear', { skip: missing('script') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-tty-'));
  try {
    const mismatch = terminal(dir, ['stacks', 'create', 'dev']);
    await mismatch.type(/Enter a passphrase to encrypt the stack: /, `${PASS}\r`);
    await mismatch.type(/Re-enter the passphrase to confirm: /, 'something else\r');
    const m = await mismatch.done;
    assert.equal(m.code, 1, m.screen);
    assert.match(m.screen, /the passphrases do not match; nothing was created/);

    const create = terminal(dir, ['stacks', 'create', 'dev']);
    await create.type(/Enter a passphrase to encrypt the stack: /, `${PASS}\r`);
    await create.type(/Re-enter the passphrase to confirm: /, `${PASS}\r`);
    const c = await create.done;
    assert.equal(c.code, 0, c.screen);
    assert.match(c.screen, /Stack created successfully/);
    assert.ok(!c.screen.includes(PASS), `the terminal showed the passphrase: ${JSON.stringify(c.screen)}`);

    const open = terminal(dir, ['history', 'dev']);
    await open.type(/Enter your passphrase to unlock the stack: /, `${PASS.slice(0, -1)}x\x7f${PASS.slice(-1)}\r`); // a typo, erased
    const o = await open.done;
    assert.equal(o.code, 0, o.screen);
    assert.ok(!o.screen.includes(PASS));

    const wrong = terminal(dir, ['history', 'dev']);
    await wrong.type(/Enter your passphrase to unlock the stack: /, 'not the passphrase\r');
    const w = await wrong.done;
    assert.equal(w.code, 1, w.screen);
    assert.match(w.screen, /passphrase/i);
    assert.ok(!w.screen.includes('not the passphrase'), JSON.stringify(w.screen));

    const cancel = terminal(dir, ['history', 'dev']);
    await cancel.type(/Enter your passphrase to unlock the stack: /, 'half\x03');
    const x = await cancel.done;
    assert.equal(x.code, 130, x.screen);
    assert.match(x.screen, /cancelled/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

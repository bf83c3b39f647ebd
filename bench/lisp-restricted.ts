// How long a hostile configuration can keep a restricted evaluation busy (the server and the
// operator evaluate other people's files). Each case is a file built to spend the work budget
// (or the form limit) as slowly as it can; it runs through read + evaluate with the restricted
// limits until it ends — by the budget's error or by finishing. The largest time is the bound
// docs/lisp.md states.
import { Interpreter, LispError, read, RESTRICTED_LIMITS } from '../src/lisp/index.ts';

const L = RESTRICTED_LIMITS;
const BIG_PATTERN = `${'(?:a?){999}'.repeat(89)}(?:a){999}$`; // 990 characters, 178,824 instructions

const cases: [string, string][] = [
  // The case the budget did not see: one match took 234 s of CPU.
  ['regex: 990-char pattern × 65,000 chars (issue 11)', `(len (match "${BIG_PATTERN}" "${'a'.repeat(65_000)}"))`],
  // The most matching steps the budget allows: a big program on inputs it can still afford.
  ['regex: big program × 200-char inputs, repeated', `(set "a" "${'a'.repeat(200)}") ${`(match? "${BIG_PATTERN}" a) `.repeat(400)}`],
  ['regex: mid program × 200-char inputs, repeated', `(set "a" "${'a'.repeat(200)}") ${`(match? "${'(?:a?){999}'.repeat(8)}" a) `.repeat(400)}`],
  // Capture groups make each matching step copy more.
  ['regex: 200 capture groups × 5,000 chars, repeated', `(set "a" "${'ab'.repeat(2500)}c") ${`(match "${'(a|b)'.repeat(199)}c$" a) `.repeat(400)}`],
  // Fresh patterns, so every call compiles (the cache does not help).
  ['regex: fresh 1,000-char patterns, compiled each', Array.from({ length: 200 }, (_, k) => `(match? (concat "${'(?:|a){999}'.repeat(90)}" "${k}") "b")`).join(' ')],
  ['strings: concat of 512 KiB halves, repeated', `(set "h" (format "%524288s" "")) ${'(len (concat h h)) '.repeat(200)}`],
  ['lists: range 100,000, repeated', '(len (range 100000)) '.repeat(600)],
  ['calls: the form limit of (+ 1 1)', '(+ 1 1) '.repeat(Math.floor(L.maxNodes / 4) - 1)],
];

let worst = 0;
console.log(`restricted limits: work ${L.maxWork.toLocaleString('en-US')} units, ${L.maxNodes.toLocaleString('en-US')} forms, ${L.maxSourceBytes / 1024 / 1024} MiB`);
for (const [label, text] of cases) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  let outcome = 'finished';
  try {
    const interp = new Interpreter({ env: {}, baseDir: '/tmp', restricted: { allow: [] } });
    interp.evalProgram(read(text, 'hostile.lisp', { limits: interp.limits }));
  } catch (err) {
    if (!(err instanceof LispError)) throw err;
    outcome = err.reason.includes('work') ? 'out of work' : `refused: ${err.reason.slice(0, 60)}`;
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  worst = Math.max(worst, cpuMs);
  console.log(`${label.padEnd(52)} ${(cpuMs / 1000).toFixed(2).padStart(6)} s CPU ${(ms / 1000).toFixed(2).padStart(6)} s wall  ${outcome}`);
}
console.log(`longest: ${(worst / 1000).toFixed(2)} s of CPU (heap ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MiB)`);

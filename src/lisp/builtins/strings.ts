// String built-ins. Lengths and indices count characters (Unicode code points), not bytes.
import { LispError } from '../types.ts';
import type { Value } from '../types.ts';
import { display } from '../values.ts';
import { FormatError, goSprintf } from './go-format.ts';
import { argError, argPos, checkListLength, checkString, fn, list, nonNegativeInt, scalar, str, stringTooLong, typeError } from './registry.ts';
import type { Call } from './registry.ts';

function concat(c: Call): Value {
  let out = '';
  const max = c.interp.limits.maxStringLength;
  for (let i = 0; i < c.args.length; i++) {
    out += display(scalar(c, i));
    if (out.length > max) checkString(c, out);
  }
  return out;
}

const concatDoc = {
  usage: '(concat a b …)',
  summary: 'the texts of the arguments joined (nil counts as "", numbers and bools as printed)',
  examples: [['(concat "prefix-" (env "NAME"))', '"prefix-web"'], ['(concat "v" 1 "." 29)', '"v1.29"']] as Array<[string, string]>,
};

function format(c: Call): Value {
  const template = str(c, 0);
  try {
    return goSprintf(template, c.args.slice(1), c.interp.limits.maxStringLength);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    const at = err.argIndex >= 0 ? argPos(c, err.argIndex + 1) : argPos(c, 0);
    throw new LispError(`format: ${err.message}`, at, {
      hint: 'verbs: %s %v %d %f %q %x %X %t %% (flags + - space 0 #, width, .precision); one argument per verb',
    });
  }
}

function substring(c: Call): Value {
  const chars = [...str(c, 0)];
  const start = nonNegativeInt(c, 1);
  const end = c.args.length > 2 ? nonNegativeInt(c, 2) : chars.length;
  if (start > chars.length) throw argError(c, 1, `start ${start} is past the end of the string (length ${chars.length})`);
  if (end > chars.length) throw argError(c, 2, `end ${end} is past the end of the string (length ${chars.length})`);
  if (end < start) throw argError(c, 2, `end ${end} is before start ${start}`);
  return chars.slice(start, end).join('');
}

function split(c: Call): Value {
  const s = str(c, 0);
  const sep = str(c, 1);
  const parts = sep === '' ? [...s] : s.split(sep);
  checkListLength(c, parts.length);
  return parts;
}

function join(c: Call): Value {
  const items = list(c, 0);
  const sep = c.args.length > 1 ? str(c, 1) : '';
  const texts = items.map((v) => {
    if (Array.isArray(v)) throw typeError(c, 0, 'a list of strings, numbers or bools (it contains a list)');
    return display(v);
  });
  return checkString(c, texts.join(sep));
}

function replace(c: Call): Value {
  const s = str(c, 0);
  const from = str(c, 1);
  const to = str(c, 2);
  // Bound the result before building it: "" as `from` inserts `to` between every character.
  const count = from === '' ? [...s].length + 1 : s.split(from).length - 1;
  const size = s.length + count * (to.length - from.length);
  if (size > c.interp.limits.maxStringLength) throw stringTooLong(c);
  return s.replaceAll(from, to);
}

export const stringBuiltins = [
  fn('concat', [0, Infinity], concatDoc, concat),
  fn('str', [0, Infinity], { ...concatDoc, usage: '(str a b …)', summary: 'another name for concat', examples: [['(str "node-" 3)', '"node-3"']] }, concat),
  fn(
    'format',
    [1, Infinity],
    {
      usage: '(format "template" args…)',
      summary: "Go's fmt.Sprintf: %s %v %d %f %q %x %X %t %% with flags, width and precision",
      examples: [['(format "cluster-%s" (env "ENV"))', '"cluster-prod"'], ['(format "%s-%03d" "node" 7)', '"node-007"']],
    },
    format,
  ),
  fn('upper', [1, 1], { usage: '(upper str)', summary: 'upper case', examples: [['(upper "hello")', '"HELLO"']] }, (c) => str(c, 0).toUpperCase()),
  fn('lower', [1, 1], { usage: '(lower str)', summary: 'lower case', examples: [['(lower "HELLO")', '"hello"']] }, (c) => str(c, 0).toLowerCase()),
  fn('trim', [1, 1], { usage: '(trim str)', summary: 'without leading and trailing white space', examples: [['(trim "  hello  ")', '"hello"']] }, (c) => str(c, 0).trim()),
  fn(
    'replace',
    [3, 3],
    { usage: '(replace str old new)', summary: 'every occurrence of old replaced by new', examples: [['(replace "foo-bar" "-" "_")', '"foo_bar"']] },
    replace,
  ),
  fn(
    'substring',
    [2, 3],
    { usage: '(substring str start [end])', summary: 'the characters from start up to (not including) end, counted from 0', examples: [['(substring "hello" 0 2)', '"he"']] },
    substring,
  ),
  fn('split', [2, 2], { usage: '(split str sep)', summary: 'the parts of str between occurrences of sep ("" splits into characters)', examples: [['(split "a,b,c" ",")', '("a" "b" "c")']] }, split),
  fn('join', [1, 2], { usage: '(join list [sep])', summary: 'the texts of the list\'s elements joined with sep', examples: [['(join (list "a" "b") "-")', '"a-b"']] }, join),
];

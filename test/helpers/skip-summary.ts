// A node:test reporter that ends the run with what was skipped and why, grouped by reason, so a
// local run that could not use a real part says so in one place (under CI=true a missing part
// fails instead: parts.ts). Runs beside the spec reporter (package.json, test:unit).
interface TestEvent {
  type: string;
  data: { name?: string; file?: string; skip?: string | boolean };
}

export default async function* skipSummary(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const byReason = new Map<string, string[]>();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.skip !== undefined && event.data.skip !== false) {
      const reason = event.data.skip === true ? '(no reason given)' : event.data.skip;
      const where = `${event.data.file ? `${event.data.file.replace(`${process.cwd()}/`, '')}: ` : ''}${event.data.name ?? ''}`;
      byReason.set(reason, [...(byReason.get(reason) ?? []), where]);
    }
  }
  if (byReason.size === 0) return;
  const total = [...byReason.values()].reduce((n, l) => n + l.length, 0);
  let out = `\nSkipped: ${total} test${total === 1 ? '' : 's'}\n`;
  for (const [reason, tests] of byReason) {
    out += `- ${reason} (${tests.length})\n`;
    for (const t of tests.slice(0, 5)) out += `    ${t}\n`;
    if (tests.length > 5) out += `    … and ${tests.length - 5} more\n`;
  }
  yield out;
}

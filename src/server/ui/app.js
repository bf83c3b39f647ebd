// The web UI: stacks, jobs with filters, a job page (plan, live log, approve / reject / cancel /
// retry, outputs), a new-job form, and a stack's history and audit views. Plain DOM, no build
// step; every text is set with textContent (nothing from the server is parsed as HTML). The
// API token is kept in this browser's sessionStorage.

const main = document.getElementById('main');
let stopStream = () => {};

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const token = () => sessionStorage.getItem('sloth-token') ?? '';
const short = (text, n = 120) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
const when = (ms) => (ms ? new Date(ms).toLocaleString() : '');
const badge = (status) => h('span', { class: `status ${status}`, 'data-status': status }, status.replace('_', ' '));

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.problems = body?.error?.problems ?? [];
    this.hint = body?.error?.hint;
  }
}

async function api(method, path, body) {
  const r = await fetch(path, { method, headers: { authorization: `Bearer ${token()}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

function showError(err) {
  return h('div', { class: 'problems', role: 'alert' }, h('strong', {}, err.message), err.hint ? h('div', {}, err.hint) : '', err.problems?.length ? h('ul', {}, err.problems.map((p) => h('li', {}, p))) : '');
}

function render(...nodes) {
  main.replaceChildren(...nodes);
}

function login(message) {
  const input = h('input', { type: 'password', id: 'token', placeholder: 'slk_…', autocomplete: 'off' });
  render(
    h('h1', {}, 'Sign in'),
    message ? showError({ message }) : '',
    h('form', { id: 'login', onsubmit: (e) => { e.preventDefault(); sessionStorage.setItem('sloth-token', input.value.trim()); void route(); } },
      h('label', { for: 'token' }, 'API token'), input, h('p', {}, h('button', { type: 'submit' }, 'Sign in'))),
  );
}

async function stacksPage() {
  const { stacks } = await api('GET', '/api/v1/stacks');
  render(
    h('h1', {}, 'Stacks'),
    h('table', { id: 'stacks' },
      h('tr', {}, ['Stack', 'Organization', 'Environment', 'Resources', 'Last update', 'Last job'].map((t) => h('th', {}, t))),
      stacks.map((s) => h('tr', {},
        h('td', {}, h('a', { href: `#/stacks/${encodeURIComponent(s.name)}` }, s.name)),
        h('td', {}, s.organization), h('td', {}, s.environment), h('td', {}, s.resources ?? ''), h('td', {}, s.lastUpdate ? new Date(s.lastUpdate).toLocaleString() : ''),
        h('td', {}, s.lastJob ? h('a', { href: `#/jobs/${s.lastJob.id}` }, `${s.lastJob.operation} `, badge(s.lastJob.status)) : ''))),
    ),
  );
}

function jobsTable(jobs) {
  return h('table', { id: 'jobs' },
    h('tr', {}, ['Job', 'Stack', 'Operation', 'Status', 'Created', 'By'].map((t) => h('th', {}, t))),
    jobs.map((j) => h('tr', {},
      h('td', {}, h('a', { href: `#/jobs/${j.id}` }, j.id)), h('td', {}, j.stack), h('td', {}, j.operation),
      h('td', {}, badge(j.status), j.queuePosition ? h('span', { class: 'muted' }, ` #${j.queuePosition} in queue`) : ''),
      h('td', {}, when(j.createdAt)), h('td', {}, j.spec.trigger.actor))));
}

async function jobsPage(params) {
  const q = new URLSearchParams(params);
  const { jobs } = await api('GET', `/api/v1/jobs?${q}`);
  const select = (name, values) => h('select', { name, onchange: (e) => { const p = new URLSearchParams(params); if (e.target.value) p.set(name, e.target.value); else p.delete(name); location.hash = `#/jobs?${p}`; } },
    h('option', { value: '' }, `any ${name}`), values.map((v) => h('option', { value: v, selected: params.get(name) === v }, v)));
  const stack = h('input', { type: 'text', name: 'stack', placeholder: 'stack', value: params.get('stack') ?? '', onchange: (e) => { const p = new URLSearchParams(params); if (e.target.value) p.set('stack', e.target.value); else p.delete('stack'); location.hash = `#/jobs?${p}`; } });
  render(
    h('h1', {}, 'Jobs'),
    h('div', { class: 'filters' }, stack, select('status', ['queued', 'running', 'awaiting_approval', 'succeeded', 'failed', 'cancelled', 'rejected']), select('operation', ['preview', 'deploy', 'refresh', 'destroy', 'rollback'])),
    jobsTable(jobs),
  );
}

function planView(plan) {
  if (!plan) return h('p', { class: 'muted' }, 'No plan yet.');
  const s = plan.summary ?? {};
  return h('div', { id: 'plan', class: 'plan' },
    h('p', {}, `${s.create ?? 0} to create, ${s.update ?? 0} to update, ${s.replace ?? 0} to replace, ${s.delete ?? 0} to delete, ${s.same ?? 0} unchanged`),
    h('table', {}, h('tr', {}, h('th', {}, 'Change'), h('th', {}, 'Resource'), h('th', {}, 'Type'), h('th', {}, 'Details')),
      (plan.steps ?? []).map((st) => h('tr', {},
        h('td', { class: `op-${st.op}` }, st.op), h('td', {}, st.name), h('td', {}, st.type),
        h('td', {}, (st.changes ?? []).slice(0, 12).map((c) => h('div', {}, `${c.kind === 'add' ? '+' : c.kind === 'delete' ? '-' : '~'} ${c.key}${c.new !== undefined ? `: ${short(JSON.stringify(c.new))}` : ''}`)))))),
    (plan.warnings ?? []).map((w) => h('p', { class: 'problems' }, w)));
}

function logLine(e) {
  const d = e.data;
  const t = new Date(e.at).toLocaleTimeString();
  if (e.kind === 'event') {
    switch (d.type) {
      case 'step-start': return `${t} ${d.step.op} ${d.step.name}…`;
      case 'step-done': return `${t} ${d.step.op} ${d.step.name} done (${Math.round(d.elapsedMs)} ms)`;
      case 'step-failed': return `${t} ${d.step.op} ${d.step.name} FAILED: ${d.error}`;
      case 'diagnostic': return `${t} ${d.severity}: ${d.message}`;
      case 'plan': return `${t} plan: ${JSON.stringify(d.plan.summary)}`;
      case 'summary': return `${t} ${d.kind} ${d.result}: ${JSON.stringify(d.changes)}`;
      case 'progress': return null;
      default: return `${t} ${d.type}${d.message ? `: ${d.message}` : ''}`;
    }
  }
  if (e.kind === 'step') return `${t} step ${d.step}: ${d.status}`;
  return `${t} ${d.status ? `[${d.status}] ` : ''}${d.message ?? JSON.stringify(d)}`;
}

/** Reads the job's Server-Sent Events with fetch (the token goes in a header), resuming after drops. */
function followLog(id, pre, onEnd) {
  const ctrl = new AbortController();
  let last = 0;
  let ended = false;
  void (async () => {
    while (!ctrl.signal.aborted && !ended) {
      try {
        const r = await fetch(`/api/v1/jobs/${id}/logs`, { headers: { authorization: `Bearer ${token()}`, accept: 'text/event-stream', 'last-event-id': String(last) }, signal: ctrl.signal });
        const reader = r.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const ev = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (!data) continue;
            if (ev === 'end') { ended = true; onEnd(JSON.parse(data)); break; }
            const entry = JSON.parse(data);
            if (entry.seq <= last) continue;
            last = entry.seq;
            const line = logLine(entry);
            if (line) { pre.append(`${line}\n`); pre.scrollTop = pre.scrollHeight; }
            if (entry.kind === 'status' || entry.kind === 'step' || entry.data.type === 'plan' || entry.data.type === 'outputs') onEnd(undefined);
          }
          if (ended) break;
        }
      } catch {
        if (ctrl.signal.aborted) return;
      }
      if (!ended) await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return () => ctrl.abort();
}

async function jobPage(id) {
  const pre = h('pre', { class: 'log', id: 'log' });
  const head = h('div', { id: 'job-head' });
  // One refresh at a time; a request made meanwhile runs once more after it.
  let running;
  let again = false;
  const refresh = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        const job = await api('GET', `/api/v1/jobs/${id}`);
        head.replaceChildren(...jobHead(job, refresh).flat());
      } while (again);
    })().finally(() => (running = undefined));
    return running;
  };
  render(head, h('h2', {}, 'Log'), pre);
  await refresh();
  stopStream = followLog(id, pre, () => void refresh());
}

function jobHead(job, refresh) {
  const act = (verb, body) => async () => {
    try {
      const r = await api('POST', `/api/v1/jobs/${job.id}/${verb}`, body);
      if (verb === 'retry') location.hash = `#/jobs/${r.id}`;
      else await refresh();
    } catch (err) {
      document.getElementById('job-error')?.replaceChildren(showError(err));
    }
  };
  const comment = h('input', { type: 'text', id: 'comment', placeholder: 'comment (optional)' });
  const spec = job.spec;
  return [
    h('h1', {}, `${job.operation} of `, h('a', { href: `#/stacks/${encodeURIComponent(job.stack)}` }, job.stack), ' ', h('span', { id: 'job-status' }, badge(job.status))),
    h('div', { id: 'job-error' }),
    job.error ? h('p', { class: 'problems', id: 'job-failure' }, job.error) : '',
    h('div', { class: 'actions' },
      job.status === 'awaiting_approval' ? [comment, h('button', { id: 'approve', onclick: () => act('approve', { comment: comment.value || undefined })() }, 'Approve'), h('button', { id: 'reject', onclick: () => act('reject', { comment: comment.value || undefined })() }, 'Reject')] : '',
      ['queued', 'running', 'awaiting_approval'].includes(job.status) ? h('button', { id: 'cancel', onclick: act('cancel') }, job.cancelRequested ? 'Cancel requested…' : 'Cancel') : '',
      ['succeeded', 'failed', 'cancelled', 'rejected'].includes(job.status) ? h('button', { id: 'retry', onclick: act('retry') }, 'Run again') : ''),
    h('dl', {},
      h('dt', {}, 'Job'), h('dd', {}, job.id),
      h('dt', {}, 'Created'), h('dd', {}, `${when(job.createdAt)} by ${spec.trigger.actor}`),
      spec.message ? [h('dt', {}, 'Message'), h('dd', {}, spec.message)] : '',
      h('dt', {}, 'Config'), h('dd', {}, spec.source ? (spec.source.kind === 'git' ? `${spec.source.url} ${spec.source.path} @ ${spec.source.commit?.slice(0, 12)}` : spec.source.name) : '—', spec.configHash ? h('span', { class: 'muted' }, ` sha256 ${spec.configHash.slice(0, 12)}…`) : ''),
      h('dt', {}, 'Policy'), h('dd', {}, Object.entries(spec.policy).map(([k, v]) => h('div', {}, `${k}: ${v.value} (${v.from}${v.scopeName ? ` ${v.scopeName}` : ''})`))),
      h('dt', {}, 'Credentials'), h('dd', {}, spec.credentials.map((c) => `${c.name} (${c.provider})`).join(', ') || '—'),
      h('dt', {}, 'Steps'), h('dd', { id: 'steps' }, job.steps.map((s) => h('span', { class: `status ${s.status}` }, `${s.step}: ${s.status}`), ' ')),
      h('dt', {}, 'History'), h('dd', {}, job.transitions.map((t) => h('div', {}, `${when(t.at)} ${t.status}${t.by ? ` by ${t.by}` : ''}${t.note ? ` — ${t.note}` : ''}`)))),
    h('h2', {}, 'Plan'), planView(job.plan),
    job.outputs ? [h('h2', {}, 'Outputs'), h('table', { id: 'outputs' }, Object.entries(job.outputs).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, typeof v === 'string' ? v : JSON.stringify(v)))))] : '',
  ];
}

async function stackPage(name) {
  const [{ settings, policy, jobs }, history] = await Promise.all([api('GET', `/api/v1/stacks/${encodeURIComponent(name)}`), api('GET', `/api/v1/stacks/${encodeURIComponent(name)}/history`).catch((e) => ({ error: e }))]);
  const auditBox = h('div', { id: 'audit' }, h('button', { id: 'load-audit', onclick: async () => {
    try {
      const { events } = await api('GET', `/api/v1/stacks/${encodeURIComponent(name)}/audit`);
      auditBox.replaceChildren(h('table', {}, h('tr', {}, ['Time', 'Actor', 'Action', 'Description', 'OK'].map((t) => h('th', {}, t))),
        events.slice().reverse().map((e) => h('tr', {}, h('td', {}, new Date(e.timestamp).toLocaleString()), h('td', {}, e.actor), h('td', {}, `${e.type}/${e.action}`), h('td', {}, e.description), h('td', {}, e.success ? 'yes' : 'no')))));
    } catch (err) {
      auditBox.replaceChildren(showError(err));
    }
  } }, 'Show the audit log'));
  render(
    h('h1', {}, name, ' ', h('a', { href: `#/new?stack=${encodeURIComponent(name)}` }, h('button', {}, 'New job'))),
    h('dl', {}, h('dt', {}, 'Organization'), h('dd', {}, settings.organization), h('dt', {}, 'Environment'), h('dd', {}, settings.environment), h('dt', {}, 'Credentials'), h('dd', {}, settings.credentials.join(', ') || '—'),
      h('dt', {}, 'Policy'), h('dd', {}, policy.error ?? Object.entries(policy).map(([k, v]) => h('div', {}, `${k}: ${v.value} (${v.from}${v.scopeName ? ` ${v.scopeName}` : ''})`)))),
    h('h2', {}, 'Jobs'), jobsTable(jobs),
    h('h2', {}, 'History'), history.error ? showError(history.error) : h('table', { id: 'history' }, h('tr', {}, ['Kind', 'Result', 'Started', 'Message'].map((t) => h('th', {}, t))),
      history.entries.map((e) => h('tr', {}, h('td', {}, e.kind), h('td', {}, e.result), h('td', {}, when(e.startTime * 1000)), h('td', {}, e.message)))),
    h('h2', {}, 'Audit'), auditBox,
  );
}

function newJobPage(params) {
  const field = (label, input) => [h('label', { for: input.id }, label), input];
  const stack = h('input', { type: 'text', id: 'stack', value: params.get('stack') ?? '' });
  const op = h('select', { id: 'operation' }, ['deploy', 'preview', 'refresh', 'destroy', 'rollback'].map((o) => h('option', { value: o }, o)));
  const config = h('textarea', { id: 'config', spellcheck: 'false', placeholder: '(cluster …)' });
  const gitUrl = h('input', { type: 'text', id: 'git-url', placeholder: 'https://… (instead of the text above)' });
  const gitRef = h('input', { type: 'text', id: 'git-ref', placeholder: 'main' });
  const gitPath = h('input', { type: 'text', id: 'git-path', placeholder: 'clusters/prod.lisp' });
  const message = h('input', { type: 'text', id: 'message' });
  const rollbackTo = h('input', { type: 'text', id: 'rollback-to', placeholder: 'deploy-3-… (rollback only)' });
  const cidrs = h('input', { type: 'text', id: 'operator-cidrs', placeholder: '203.0.113.7/32, … (default: the server\'s)' });
  const noBootstrap = h('input', { type: 'checkbox', id: 'no-bootstrap' });
  const out = h('div', { id: 'create-result' });
  render(
    h('h1', {}, 'New job'),
    h('form', { id: 'new-job', onsubmit: async (e) => {
      e.preventDefault();
      const body = { stack: stack.value.trim(), operation: op.value };
      if (message.value) body.message = message.value;
      if (config.value.trim()) body.config = { text: config.value };
      if (gitUrl.value.trim()) body.git = { url: gitUrl.value.trim(), ref: gitRef.value.trim(), path: gitPath.value.trim() };
      if (rollbackTo.value.trim()) body.rollbackTo = rollbackTo.value.trim();
      if (cidrs.value.trim()) body.operatorCidrs = cidrs.value.split(',').map((c) => c.trim()).filter(Boolean);
      if (noBootstrap.checked) body.bootstrap = false;
      try {
        const job = await api('POST', '/api/v1/jobs', body);
        location.hash = `#/jobs/${job.id}`;
      } catch (err) {
        out.replaceChildren(showError(err));
      }
    } },
      field('Stack', stack), field('Operation', op), field('Config (Lisp)', config), field('or git repository', gitUrl), field('branch, tag or commit', gitRef), field('path', gitPath),
      field('Message', message), field('Roll back to', rollbackTo), field('Operator CIDRs', cidrs), h('label', {}, noBootstrap, ' machines only, no Kubernetes install (--no-bootstrap)'),
      h('p', {}, h('button', { type: 'submit', id: 'create' }, 'Create job'))),
    out,
  );
}

async function route() {
  stopStream();
  stopStream = () => {};
  if (!token()) return login();
  const [path, query] = (location.hash.slice(1) || '/stacks').split('?');
  const params = new URLSearchParams(query ?? '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    const me = await api('GET', '/api/v1/me');
    document.getElementById('who').textContent = `${me.name} (${me.role})`;
    if (parts[0] === 'jobs' && parts[1]) await jobPage(parts[1]);
    else if (parts[0] === 'jobs') await jobsPage(params);
    else if (parts[0] === 'stacks' && parts[1]) await stackPage(parts[1]);
    else if (parts[0] === 'new') newJobPage(params);
    else await stacksPage();
  } catch (err) {
    if (err.status === 401) {
      sessionStorage.removeItem('sloth-token');
      return login(err.message);
    }
    render(showError(err));
  }
}

window.addEventListener('hashchange', () => void route());
void route();

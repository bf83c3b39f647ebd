// The client's mechanics against a scripted local HTTP server: pagination by page number up
// to `meta.total` (never following `links.pages.next`, which names the public host), the rate
// limit (429 with ratelimit-reset, ratelimit-remaining 0), errors and their classes, action
// polling, and the provider configuration (token sources, endpoint override).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from '../../../test/helpers/moto.ts';
import { allPages, DoClient } from './client.ts';
import { DoActionError, classifyDoError } from './errors.ts';
import { clientFor } from './index.ts';
import { ApiError } from '../rest/errors.ts';
import { ProviderConfigError } from '../rest/config.ts';
import { body, gone, orGone } from '../rest/fetch.ts';

type Script = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
let server: Server;
let base = '';
let script: Script = (_q, res) => res.writeHead(404).end();
const seen: { method: string; path: string; auth?: string; at: number }[] = [];

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    seen.push({ method: req.method!, path: url.pathname + url.search, auth: req.headers.authorization, at: Date.now() });
    script(req, res, url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
const client = (extra: Partial<ConstructorParameters<typeof DoClient>[0]> = {}) => new DoClient({ token: 'tok-secret-1', endpoint: base, pollMinMs: 10, pollMaxMs: 40, ...extra });

test('pages are asked for on our endpoint by number until meta.total items came', async () => {
  seen.length = 0;
  script = (_q, res, url) => {
    const page = Number(url.searchParams.get('page') ?? 1);
    const next = page < 3 ? { next: `https://api.digitalocean.com/v2/droplets?page=${page + 1}&per_page=2` } : {};
    json(res, 200, { droplets: [{ id: page * 10 }, { id: page * 10 + 1 }], links: { pages: next }, meta: { total: 6 } });
  };
  const c = client();
  const all = await allPages(async (page) => {
    const r = body(await c.api.GET('/v2/droplets', { params: { query: { tag_name: 'a:b', page, per_page: 2 } } }));
    return { items: r.droplets, total: r.meta.total };
  });
  assert.deepEqual(all.map((d) => d.id), [10, 11, 20, 21, 30, 31]);
  assert.deepEqual(seen.map((s) => s.path), ['/v2/droplets?tag_name=a%3Ab&page=1&per_page=2', '/v2/droplets?tag_name=a%3Ab&page=2&per_page=2', '/v2/droplets?tag_name=a%3Ab&page=3&per_page=2']);
  assert.ok(seen.every((s) => s.auth === 'Bearer tok-secret-1'));
});

test('a 429 is waited out until ratelimit-reset, then the request is sent again', async () => {
  seen.length = 0;
  let n = 0;
  script = (_q, res) => {
    if (n++ === 0) json(res, 429, { id: 'too_many_requests', message: 'API Rate limit exceeded.' }, { 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) });
    else json(res, 200, { account: { droplet_limit: 3 } }, { 'ratelimit-remaining': '4999' });
  };
  const t0 = Date.now();
  const r = body(await client().api.GET('/v2/account'));
  assert.equal(r.account?.droplet_limit, 3);
  assert.equal(seen.length, 2);
  assert.ok(seen[1]!.at - seen[0]!.at >= 400, `waited ${seen[1]!.at - seen[0]!.at} ms`);
  assert.ok(Date.now() - t0 < 2500);
});

test('ratelimit-remaining 0 on a success holds the next request until the reset', async () => {
  seen.length = 0;
  const reset = Math.ceil(Date.now() / 1000) + 1;
  script = (_q, res) => json(res, 200, {}, { 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) });
  const c = client();
  await c.api.GET('/v2/account');
  await c.api.GET('/v2/sizes');
  assert.ok(seen[1]!.at >= reset * 1000 - 5, 'the second request waited for the reset');
});

test('429s beyond the client\'s patience go to the engine as throttled', async () => {
  script = (_q, res) => json(res, 429, { id: 'too_many_requests', message: 'API Rate limit exceeded.' }, { 'ratelimit-reset': String(Math.ceil(Date.now() / 1000)) });
  const err = await client({ rateLimitRetries: 1 }).api.GET('/v2/account').catch((e: unknown) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 429);
  assert.equal(classifyDoError(err), 'throttled');
});

test('errors carry the API\'s id and message, never the token, and are classified', async () => {
  const answer = (status: number, id: string, message: string) => {
    script = (_q, res) => json(res, status, { id, message, request_id: 'req-1' });
    return client().api.POST('/v2/tags', { body: { name: 'x' } }).then(() => assert.fail('expected an error'), (e: unknown) => e as ApiError);
  };
  const bad = await answer(422, 'unprocessable_entity', 'You specified an invalid size for Droplet creation.');
  assert.match(bad.message, /DigitalOcean API POST \/v2\/tags answered 422 unprocessable_entity: You specified an invalid size.*request id req-1/);
  assert.doesNotMatch(bad.message, /tok-secret-1/);
  assert.equal(classifyDoError(bad), 'permanent');
  assert.equal(classifyDoError(await answer(422, 'unprocessable_entity', 'Droplet already has a pending event.')), 'transient');
  assert.equal(classifyDoError(await answer(500, 'server_error', 'Server was unable to give you a response.')), 'transient');
  assert.equal(classifyDoError(await answer(503, 'service_unavailable', 'try later')), 'transient');
  const denied = await answer(401, 'unauthorized', 'Unable to authenticate you');
  assert.equal(classifyDoError(denied), 'permanent');
  assert.match(denied.hint ?? '', /DIGITALOCEAN_TOKEN/);
  assert.equal(classifyDoError(new Error('input broken')), 'permanent');
});

test('find answers undefined for 404, remove treats 404 as done, a refused connection is transient', async () => {
  script = (_q, res) => json(res, 404, { id: 'not_found', message: 'The resource you were accessing could not be found.' });
  assert.equal(await orGone(client().api.GET('/v2/droplets/{droplet_id}', { params: { path: { droplet_id: 1 } } })), undefined);
  await gone(client().api.DELETE('/v2/droplets/{droplet_id}', { params: { path: { droplet_id: 1 } } }));
  const away = new DoClient({ token: 't', endpoint: `http://127.0.0.1:${await freePort()}` });
  const err = await away.api.GET('/v2/account').then(() => assert.fail('expected an error'), (e: unknown) => e as ApiError);
  assert.equal(err.status, 0);
  assert.match(err.message, /no answer: ECONNREFUSED/);
  assert.equal(classifyDoError(err), 'transient');
});

test('waitForAction polls until completed, and an errored action fails', async () => {
  let polls = 0;
  script = (_q, res, url) => {
    const id = Number(url.pathname.split('/').pop());
    polls++;
    const status = id === 2 ? 'errored' : polls < 3 ? 'in-progress' : 'completed';
    json(res, 200, { action: { id, status, type: 'create', resource_id: 5, resource_type: 'droplet' } });
  };
  assert.equal((await client().waitForAction(1, 'droplet a')).status, 'completed');
  assert.equal(polls, 3);
  await assert.rejects(client().waitForAction(2, 'droplet b'), (e: unknown) => e instanceof DoActionError && /action 2 \(create\) for droplet b errored/.test(e.message));
  const ac = new AbortController();
  polls = -1000;
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(client().waitForAction(1, 'droplet c', ac.signal), { name: 'AbortError' });
});

test('configure: token from the config, else DIGITALOCEAN_TOKEN, else DIGITALOCEAN_ACCESS_TOKEN; DIGITALOCEAN_API_URL overrides the endpoint; a key it does not know is refused', async () => {
  seen.length = 0;
  script = (_q, res) => json(res, 200, {});
  const env = { DIGITALOCEAN_TOKEN: 'from-env', DIGITALOCEAN_ACCESS_TOKEN: 'from-access', DIGITALOCEAN_API_URL: base };
  await clientFor({ token: 'from-config' }, env).api.GET('/v2/account');
  await clientFor({}, env).api.GET('/v2/account');
  await clientFor({}, { DIGITALOCEAN_ACCESS_TOKEN: 'from-access', DIGITALOCEAN_API_URL: base }).api.GET('/v2/account');
  assert.deepEqual(seen.map((s) => s.auth), ['Bearer from-config', 'Bearer from-env', 'Bearer from-access']);
  assert.equal(clientFor({}, { DIGITALOCEAN_TOKEN: 'x' }).endpoint, 'https://api.digitalocean.com');
  assert.throws(() => clientFor({}, {}), (e: unknown) => e instanceof ProviderConfigError && /no DigitalOcean API token/.test(e.message) && /set DIGITALOCEAN_TOKEN/.test(e.message) && /env "DIGITALOCEAN_TOKEN"/.test(e.hint));
  assert.throws(() => clientFor({}, { DIGITALOCEAN_TOKEN: 'x', DIGITALOCEAN_API_URL: 'not a url' }), /DIGITALOCEAN_API_URL 'not a url' is not a URL/);
  assert.throws(() => clientFor({}, { DIGITALOCEAN_TOKEN: 'x', DIGITALOCEAN_API_URL: 'ftp://h' }), /not an http\(s\) URL/);
  assert.equal(clientFor({ token: 't', region: 'nyc3' }, {}).endpoint, 'https://api.digitalocean.com');
  assert.throws(
    () => clientFor({ token: 't', spacesKey: 'k', apiEndpoint: 'u' }, {}),
    (e: unknown) => e instanceof ProviderConfigError && /does not support yet: spacesKey, apiEndpoint/.test(e.message) && /Supported: token, region/.test(e.hint),
  );
});

// The web UI in a real browser (Debian's Chromium, driven by playwright-core), served by the
// server process that runs the jobs: sign in with a token, create a deploy job of the seed's
// AWS production example (machines, networks, load balancer: --no-bootstrap) against moto,
// watch the live log reach the approval pause with the plan shown, approve, and see the job
// succeed with its outputs. Also: the jobs list with its filters, and the stack's history and
// audit views.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { startAwsEmulator } from '../../test/e2e/aws/moto-aws.ts';
import type { AwsEmulator } from '../../test/e2e/aws/moto-aws.ts';
import { CHROMIUM, CHROMIUM_FLAGS, missing } from '../../test/helpers/parts.ts';
import { FAST, JobsEnv, PASSPHRASE } from '../jobs/testing.ts';
import { startServer } from './index.ts';
import type { RunningServer } from './index.ts';

const SEED = readFileSync(new URL('../../test/fixtures/config/seeds/aws-production.lisp', import.meta.url), 'utf8');
const skip = missing('chromium', 'moto');

let env: JobsEnv;
let aws: AwsEmulator;
let server: RunningServer;
let browser: Browser;
let admin: string;

before(async () => {
  if (skip) return;
  aws = (await startAwsEmulator())!;
  env = new JobsEnv({}, { simulated: false });
  await env.createStack('aws-production');
  const jobs = await env.open('aws-production');
  await jobs.credentials.put('aws-moto', 'aws', aws.env);
  await jobs.settings.setStack({ stack: 'aws-production', organization: 'acme', environment: 'production', credentials: ['aws-moto', 'pass'] });
  await jobs.settings.setPolicy('environment', 'production', { pauseBetweenPreviewAndUpdate: true });
  await jobs.close();
  server = await startServer({ dataDir: env.dataDir, baseEnv: env.baseEnv, host: '127.0.0.1', port: 0, runners: 1, timings: FAST, log: () => undefined });
  admin = readFileSync(server.adminTokenFile!, 'utf8').trim();
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});
after(async () => {
  await browser?.close();
  await server?.close();
  await aws?.stop();
  env?.cleanup();
});

test('from the browser: create a deploy of the seed\'s AWS example, watch the log, approve, see the outputs', { skip, timeout: 300_000 }, async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(`${server.url}/`);
  await page.fill('#token', admin);
  await page.click('#login button');
  await page.waitForSelector('#stacks');
  assert.match(await page.textContent('#stacks') ?? '', /aws-production\s*acme\s*production/);

  await page.click('#nav-new');
  await page.fill('#stack', 'aws-production');
  await page.fill('#config', SEED);
  await page.fill('#message', 'first production deploy');
  await page.fill('#operator-cidrs', '203.0.113.7/32');
  await page.check('#no-bootstrap');
  await page.click('#create');

  await page.waitForSelector('#job-status [data-status="awaiting_approval"]', { timeout: 180_000 });
  assert.match(await page.textContent('#plan') ?? '', /aws:ec2\/instance:Instance/);
  assert.match(await page.textContent('#plan') ?? '', /\d+ to create/);
  await page.waitForFunction(() => /Do you want to deploy/.test((globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('#log')?.textContent ?? ''));
  const logBefore = (await page.textContent('#log')) ?? '';
  assert.match(logBefore, /step refresh: done/);
  assert.match(await page.textContent('#job-head') ?? '', /pauseBetweenPreviewAndUpdate: true \(environment production\)/);

  await page.fill('#comment', 'approved from the browser');
  await page.click('#approve');
  await page.waitForSelector('#job-status [data-status="succeeded"]', { timeout: 240_000 });
  const job = (await (await fetch(`${server.url}/api/v1/jobs?stack=aws-production`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { jobs: { outputs?: unknown; status: string }[] };
  assert.ok(job.jobs[0]!.outputs, JSON.stringify(job.jobs[0]).slice(0, 2000));
  await page.waitForSelector('#outputs');
  assert.match(await page.textContent('#outputs') ?? '', /nodes/);
  await page.waitForFunction(() => /approved by token:admin: approved from the browser/.test((globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('#log')?.textContent ?? ''));
  const log = (await page.textContent('#log')) ?? '';
  assert.match(log, /create .*done/);
  assert.equal(`${log}${await page.content()}`.includes(PASSPHRASE), false);
  assert.equal(log.includes(aws.env.AWS_SECRET_ACCESS_KEY!) && aws.env.AWS_SECRET_ACCESS_KEY!.length > 8, false);
  if (process.env.SLOTH_UI_SCREENSHOT) await page.screenshot({ path: process.env.SLOTH_UI_SCREENSHOT, fullPage: true });

  // The jobs list with a filter, the stack page with its history and audit.
  await page.goto(`${server.url}/#/jobs?status=succeeded`);
  await page.waitForSelector('#jobs');
  assert.match(await page.textContent('#jobs') ?? '', /aws-production\s*deploy\s*succeeded/);
  await page.goto(`${server.url}/#/stacks/aws-production`);
  await page.waitForSelector('#history');
  assert.match(await page.textContent('#history') ?? '', /update\s*succeeded/);
  await page.click('#load-audit');
  await page.waitForSelector('#audit table');
  assert.match(await page.textContent('#audit') ?? '', /token:admin/);
  assert.deepEqual(problems, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProviderUrn, formatProviderRef, makeUrn, packageOf, parseProviderRef, parseUrn, rootStackUrn, urnTag } from './urn.ts';
import { UNKNOWN_VALUE } from '../state/types.ts';

test('URNs are written as Pulumi writes them, with parent types joined by $', () => {
  assert.equal(makeUrn('dev', 'aws:ec2/vpc:Vpc', 'main'), 'urn:pulumi:dev::sloth-kubernetes::aws:ec2/vpc:Vpc::main');
  assert.equal(makeUrn('dev', 'aws:s3/bucket:Bucket', 'b', 'my:comp:C'), 'urn:pulumi:dev::sloth-kubernetes::my:comp:C$aws:s3/bucket:Bucket::b');
  assert.equal(rootStackUrn('prod'), 'urn:pulumi:prod::sloth-kubernetes::pulumi:pulumi:Stack::sloth-kubernetes-prod');
  assert.equal(defaultProviderUrn('dev', 'aws'), 'urn:pulumi:dev::sloth-kubernetes::pulumi:providers:aws::default');
});

test('parseUrn splits the parts; the name may itself contain ::', () => {
  assert.deepEqual(parseUrn('urn:pulumi:dev::proj::a:b:C$x:y:Z::name::with::colons'), {
    stack: 'dev',
    project: 'proj',
    qualifiedType: 'a:b:C$x:y:Z',
    type: 'x:y:Z',
    name: 'name::with::colons',
  });
  assert.throws(() => parseUrn('urn:other:x'), /must start with "urn:pulumi:"/);
  assert.throws(() => parseUrn('urn:pulumi:dev::proj::type'), /needs stack::project::type::name/);
});

test('provider references split at the last ::; an unknown id is Pulumi\'s unknown marker', () => {
  const p = defaultProviderUrn('dev', 'aws');
  assert.deepEqual(parseProviderRef(`${p}::04e1b1d5-1111-4222-8333-944455556666`), { urn: p, id: '04e1b1d5-1111-4222-8333-944455556666' });
  assert.equal(formatProviderRef(p, undefined), `${p}::${UNKNOWN_VALUE}`);
  assert.throws(() => parseProviderRef('urn:pulumi:dev::p::aws:ec2/vpc:Vpc::x::id'), /does not name a pulumi:providers: resource/);
  assert.equal(packageOf('pulumi:providers:digitalocean'), 'digitalocean');
  assert.equal(packageOf('aws:ec2/vpc:Vpc'), 'aws');
});

test('the URN tag is short, stable and free of characters clouds refuse in tags', () => {
  const t = urnTag('urn:pulumi:dev::sloth-kubernetes::aws:ec2/vpc:Vpc::main');
  assert.match(t, /^[0-9a-f]{32}$/);
  assert.equal(t, urnTag('urn:pulumi:dev::sloth-kubernetes::aws:ec2/vpc:Vpc::main'));
  assert.notEqual(t, urnTag('urn:pulumi:prod::sloth-kubernetes::aws:ec2/vpc:Vpc::main'));
});

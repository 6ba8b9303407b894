import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addressAllowed, notifyUrlProblem } from '../service/url-policy.ts'
import { postCallback } from './deliver.ts'

test('notify URLs: absolute http(s) with a path, no query, fragment or credentials', () => {
  assert.equal(notifyUrlProblem('https://example.com/cb'), undefined)
  assert.equal(notifyUrlProblem('http://127.0.0.1:8080/wx/notify'), undefined)
  for (const bad of [
    'https://example.com',
    'https://example.com/',
    'https://example.com/cb?a=1',
    'https://example.com/cb?',
    'https://example.com/cb#x',
    'ftp://example.com/cb',
    'https://u:p@example.com/cb',
    'cb',
  ]) {
    assert.ok(notifyUrlProblem(bad), bad)
  }
})

test('addresses: loopback yes, link-local and metadata never, private only when allowed', () => {
  for (const ok of ['127.0.0.1', '127.8.9.10', '::1', '93.184.216.34', '2606:4700::1111']) {
    assert.equal(addressAllowed(ok, false), true, ok)
  }
  for (const never of [
    '169.254.169.254',
    '169.254.0.1',
    'fd00:ec2::254',
    'fe80::1',
    '0.0.0.0',
    '::',
    '::ffff:169.254.169.254',
    '224.0.0.1',
  ]) {
    assert.equal(addressAllowed(never, true), false, never)
  }
  for (const priv of [
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '100.64.0.1',
    'fd12:3456::1',
    '::ffff:10.0.0.1',
  ]) {
    assert.equal(addressAllowed(priv, false), false, priv)
    assert.equal(addressAllowed(priv, true), true, priv)
  }
  assert.equal(addressAllowed('not-an-ip', true), false)
})

test('delivery refuses a forbidden address before connecting', async () => {
  const r = await postCallback({
    url: 'http://169.254.169.254/latest/meta-data',
    body: '{}',
    headers: {},
    timeoutMs: 1000,
    allowPrivate: true,
  })
  assert.equal(r.status, undefined)
  assert.match(r.error ?? '', /not allowed/)
  const named = await postCallback({
    url: 'http://localhost:9/cb',
    body: '{}',
    headers: {},
    timeoutMs: 1000,
    allowPrivate: false,
  })
  assert.doesNotMatch(named.error ?? '', /not allowed/, 'localhost resolves to loopback')
})

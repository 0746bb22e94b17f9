import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGoDuration, formatGoLayout, isTimeZone } from '../../../shared/template/go-time.ts';

test('formatGoDuration prints like Go time.Duration.String()', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [59, '59s'],
    [60, '1m0s'],
    [90, '1m30s'],
    [615, '10m15s'],
    [1800, '30m0s'],
    [3661, '1h1m1s'],
    [86400, '24h0m0s'],
    [-744 * 3600, '-744h0m0s'],
    [-1, '-1s'],
    [1.5, '1.5s'],
    [0.5, '500ms'],
    [0.0015, '1.5ms'],
    [0.000001, '1µs'],
    [1e-9, '1ns'],
  ];
  for (const [seconds, want] of cases) assert.equal(formatGoDuration(seconds), want, String(seconds));
});

test('formatGoDuration gives 0s for values that are not numbers', () => {
  assert.equal(formatGoDuration(Number.NaN), '0s');
});

const t = new Date(1700000000123); // 2023-11-14 22:13:20.123 UTC, a Tuesday, day 318

test('formatGoLayout: the reference layout elements', () => {
  const cases: [string, string][] = [
    ['2006-01-02 15:04:05', '2023-11-14 22:13:20'],
    ['06 1 2 3 4 5', '23 11 14 10 13 20'],
    ['Jan January Mon Monday', 'Nov November Tue Tuesday'],
    ['03:04 PM pm', '10:13 PM pm'],
    ['_2|002|__2', '14|318|318'],
    ['.000 .999 ,00 .9', '.123 .123 ,12 .1'],
    ['MST -07:00 -0700 -07 Z07:00 Z0700 Z07 -07:00:00 -070000', 'UTC +00:00 +0000 +00 Z Z Z +00:00:00 +000000'],
    ['Janet Monkey _2006', 'Janet Monkey _2023'],
    ['literal text: 2006!', 'literal text: 2023!'],
  ];
  for (const [layout, want] of cases) assert.equal(formatGoLayout(t, layout, 'UTC'), want, layout);
});

test('formatGoLayout: .999 drops trailing zeros and the dot', () => {
  assert.equal(formatGoLayout(new Date(1700000000000), '05.999|05.000', 'UTC'), '20|20.000');
  assert.equal(formatGoLayout(new Date(1700000000100), '05.999', 'UTC'), '20.1');
});

test('formatGoLayout: single-digit days and hours are padded only where Go pads', () => {
  const d = new Date(Date.UTC(2024, 0, 5, 3, 4, 5));
  assert.equal(formatGoLayout(d, 'Jan _2 2 02 3 03 15', 'UTC'), 'Jan  5 5 05 3 03 03');
  assert.equal(formatGoLayout(new Date(Date.UTC(2024, 0, 5, 0, 0)), '3PM', 'UTC'), '12AM');
});

test('formatGoLayout: zones with tzdata abbreviations and offsets', () => {
  assert.equal(formatGoLayout(t, '2006-01-02 15:04 MST', 'Europe/Berlin'), '2023-11-14 23:13 CET');
  assert.equal(formatGoLayout(new Date(1690000000000), '15:04 MST Z07:00', 'Europe/Berlin'), '06:26 CEST +02:00');
  assert.equal(formatGoLayout(t, '15:04 MST -0700', 'America/New_York'), '17:13 EST -0500');
  assert.equal(formatGoLayout(t, 'MST Z07:00', 'Asia/Kathmandu'), '+0545 +05:45');
  assert.equal(formatGoLayout(t, 'MST', 'Asia/Dubai'), '+04');
});

test('formatGoLayout: "", "Local" and unknown zones use the process zone (TZ)', () => {
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'Asia/Tokyo';
    for (const zone of [undefined, '', 'Local', 'Not/AZone']) {
      assert.equal(formatGoLayout(t, '15:04 MST', zone), '07:13 JST', String(zone));
    }
    process.env.TZ = 'UTC';
    assert.equal(formatGoLayout(t, '15:04 MST', ''), '22:13 UTC');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('formatGoLayout: an invalid date renders as empty text', () => {
  assert.equal(formatGoLayout(new Date(Number.NaN), '2006', 'UTC'), '');
});

test('isTimeZone', () => {
  assert.equal(isTimeZone('Europe/Berlin'), true);
  assert.equal(isTimeZone('UTC'), true);
  assert.equal(isTimeZone(''), false);
  assert.equal(isTimeZone('Mars/Olympus'), false);
});

test('formatGoLayout: a ZONEINFO entry that is too large, or not a file, is not read (the Intl name is used)', async () => {
  const { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'zoneinfo-'));
  // Zones no other test names: their abbreviations are read once per process.
  mkdirSync(join(dir, 'America'));
  // A TZif header followed by far more than any real zone file holds.
  writeFileSync(join(dir, 'America', 'Chicago'), Buffer.concat([Buffer.from('TZif2'), Buffer.alloc(1024 * 1024)]));
  mkdirSync(join(dir, 'Pacific'));
  symlinkSync('/dev/zero', join(dir, 'Pacific', 'Auckland'));
  const before = process.env.ZONEINFO;
  process.env.ZONEINFO = dir;
  try {
    const started = Date.now();
    assert.equal(formatGoLayout(t, '15:04 MST -0700', 'America/Chicago'), '16:13 CST -0600');
    assert.equal(formatGoLayout(t, '15:04 MST', 'Pacific/Auckland'), '11:13 +13');
    assert.ok(Date.now() - started < 2000);
  } finally {
    if (before === undefined) delete process.env.ZONEINFO;
    else process.env.ZONEINFO = before;
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DryRunAnswer, unchangedByApply } from '../../../plugins/kubernetes/no-op.ts';

const SENT = Date.parse('2026-11-22T21:30:00.400Z');

/** A dry-run answer of an existing ConfigMap whose manager entries carry the given times. */
function answer(entries: Array<{ manager: string; operation?: string; time: string; subresource?: string }>, o: Partial<DryRunAnswer> = {}): DryRunAnswer {
  return {
    status: 200,
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '296', managedFields: entries.map((e) => ({ operation: 'Apply', ...e })) } },
    date: 'Sun, 22 Nov 2026 21:30:00 GMT',
    sentAt: SENT,
    receivedAt: SENT + 30,
    ...o,
  };
}

describe('unchangedByApply', () => {
  it('is true when the manager entry keeps a time from well before the request (recording 02: a no-op keeps it)', () => {
    assert.equal(unchangedByApply(answer([{ manager: 'sortie', time: '2026-11-22T21:23:22Z' }]), 'sortie'), true);
  });

  it('is false when the entry is stamped with the time of the request (recording 07: a changing dry run restamps it)', () => {
    assert.equal(unchangedByApply(answer([{ manager: 'sortie', time: '2026-11-22T21:30:00Z' }]), 'sortie'), false);
  });

  it('is false for a stamp of the second before: the apply may have run at its very end', () => {
    assert.equal(unchangedByApply(answer([{ manager: 'sortie', time: '2026-11-22T21:29:59Z' }]), 'sortie'), false);
  });

  it('reads the server clock from the Date header, not the runner clock', () => {
    // The runner is an hour ahead of the server: its own clock would call a fresh stamp old.
    const ahead = { sentAt: SENT + 3_600_000, receivedAt: SENT + 3_600_030 };
    assert.equal(unchangedByApply(answer([{ manager: 'sortie', time: '2026-11-22T21:30:00Z' }], ahead), 'sortie'), false);
    // And an hour behind: an old stamp is still old.
    const behind = { sentAt: SENT - 3_600_000, receivedAt: SENT - 3_599_970 };
    assert.equal(unchangedByApply(answer([{ manager: 'sortie', time: '2026-11-22T21:23:22Z' }], behind), 'sortie'), true);
  });

  it('counts a slow answer against the proof: the server may have applied right after the request arrived', () => {
    // Date says 21:30:05 but the request went out 5 s before that answer arrived.
    const slow = { date: 'Sun, 22 Nov 2026 21:30:05 GMT', receivedAt: SENT + 5000 };
    assert.equal(unchangedByApply(answer([{ manager: 'sortie', time: '2026-11-22T21:30:01Z' }], slow), 'sortie'), false);
  });

  it('is false whenever the proof is missing', () => {
    const old = [{ manager: 'sortie', time: '2026-11-22T21:23:22Z' }];
    assert.equal(unchangedByApply(answer(old, { status: 201 }), 'sortie'), false, 'created');
    assert.equal(unchangedByApply(answer(old, { date: undefined }), 'sortie'), false, 'no Date header');
    assert.equal(unchangedByApply(answer(old, { date: 'soon' }), 'sortie'), false, 'a Date header that is no date');
    assert.equal(unchangedByApply(answer([]), 'sortie'), false, 'no entry of the manager (it owns no fields)');
    assert.equal(unchangedByApply(answer(old), 'other'), false, 'another manager');
    assert.equal(unchangedByApply(answer([{ manager: 'sortie', operation: 'Update', time: '2026-11-22T21:23:22Z' }]), 'sortie'), false, 'an Update entry');
    assert.equal(unchangedByApply(answer([{ manager: 'sortie', time: '2026-11-22T21:23:22Z', subresource: 'status' }]), 'sortie'), false, 'a status entry');
    assert.equal(unchangedByApply(answer([{ manager: 'sortie', time: 'yesterday' }]), 'sortie'), false, 'a time that is no time');
  });
});

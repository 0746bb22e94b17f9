import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podProblems, verdict } from '../../../plugins/kubernetes/status.ts';

const deployment = (status: Record<string, unknown>, generation = 1, replicas = 2) => ({ metadata: { generation }, spec: { replicas }, status });

describe('verdict (kubectl rollout status rules)', () => {
  it('waits until the controller has seen the new generation', () => {
    assert.equal(verdict('Deployment', deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 2)).state, 'waiting');
  });
  it('walks updated, old replicas, available, then done', () => {
    assert.match(verdict('Deployment', deployment({ observedGeneration: 1, updatedReplicas: 1 })).text, /1 of 2 replicas updated/);
    assert.match(verdict('Deployment', deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 2 })).text, /1 old replicas pending termination/);
    assert.match(verdict('Deployment', deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1 })).text, /1 of 2 updated replicas available/);
    assert.equal(verdict('Deployment', deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 })).state, 'done');
  });
  it('fails on ProgressDeadlineExceeded', () => {
    const v = verdict('Deployment', deployment({ observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-1" has timed out progressing.' }] }));
    assert.deepEqual(v, { state: 'failed', text: 'exceeded its progress deadline: ReplicaSet "web-1" has timed out progressing.' });
  });
  it('knows StatefulSets (revisions, partitions), DaemonSets and Jobs', () => {
    const sts = (status: Record<string, unknown>, partition?: number) => ({ metadata: { generation: 1 }, spec: { replicas: 2, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } }, status });
    assert.equal(verdict('StatefulSet', sts({ observedGeneration: 1, readyReplicas: 2, updateRevision: 'b', currentRevision: 'a' })).state, 'waiting');
    assert.equal(verdict('StatefulSet', sts({ observedGeneration: 1, readyReplicas: 2, updateRevision: 'b', currentRevision: 'b' })).state, 'done');
    assert.equal(verdict('StatefulSet', sts({ observedGeneration: 1, readyReplicas: 2, updatedReplicas: 1 }, 1)).state, 'done');
    const ds = { metadata: { generation: 1 }, spec: {}, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 } };
    assert.match(verdict('DaemonSet', ds).text, /2 of 3 updated pods available/);
    assert.equal(verdict('Job', { status: { conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 } }).state, 'done');
    assert.equal(verdict('Job', { status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } }).text, 'failed: BackoffLimitExceeded');
  });
});

describe('podProblems', () => {
  it('names image pulls, crash loops with the last exit, and unschedulable pods', () => {
    const pod = {
      metadata: { name: 'web-1' },
      status: {
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }],
        containerStatuses: [
          { name: 'app', ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } } },
          { name: 'side', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } } },
          { name: 'ok', ready: true },
        ],
      },
    };
    assert.deepEqual(podProblems(pod), [
      { pod: 'web-1', text: 'not scheduled: Unschedulable: 0/3 nodes are available: 3 Insufficient memory.', stuck: false, crashed: false },
      { pod: 'web-1', container: 'app', text: 'ImagePullBackOff: Back-off pulling image "x"', stuck: true, crashed: false },
      { pod: 'web-1', container: 'side', text: 'CrashLoopBackOff; last exit: OOMKilled (exit code 137); 3 restarts', stuck: true, crashed: true },
    ]);
  });
});

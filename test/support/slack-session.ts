import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { type SlackStandIn, startSlackStandIn } from '../components/slack/server.ts';

interface SlackSession {
  /** The stand-in, started once for the file; what it received is cleared before each test. */
  readonly slack: SlackStandIn;
  /** A fresh workspace for each test. */
  readonly workspace: string;
}

/** Registers the hooks of a test file that posts to the Slack stand-in. */
export function slackSession(prefix: string): SlackSession {
  let slack: SlackStandIn | undefined;
  let workspace = '';
  before(async () => {
    slack = await startSlackStandIn();
  });
  after(() => slack?.close());
  beforeEach(() => {
    slack!.received.length = 0;
    workspace = mkdtempSync(join(tmpdir(), prefix));
  });
  return {
    get slack() {
      return slack!;
    },
    get workspace() {
      return workspace;
    },
  };
}

/** The discord, telegram and matrix images, run as Drone runs them (./step-runner.ts). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDiscordStandIn } from '../components/discord/server.ts';
import { startMatrixStandIn } from '../components/matrix/server.ts';
import { startTelegramStandIn } from '../components/telegram/server.ts';
import { type ImageSteps, imageSteps } from './step-runner.ts';

let steps: ImageSteps;
before(async () => {
  steps = await imageSteps(['discord', 'telegram', 'matrix']);
});
after(() => steps.stop());

test('sortie/discord posts the failure the status file reports, as a red embed', async (t) => {
  if (steps.skipReason) return t.skip(steps.skipReason);
  const discord = await startDiscordStandIn();
  try {
    const r = await steps.run('discord', { PLUGIN_WEBHOOK_URL: discord.webhookUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the failure message to Discord\n');
    assert.equal((discord.received[0]!.body as { embeds: Array<{ color: number }> }).embeds[0]!.color, 0xff3232);
    assert.ok(!(r.stdout + r.stderr).includes(discord.token));
  } finally {
    await discord.close();
  }
});

test('sortie/telegram sends the failure in MarkdownV2 the Bot API accepts', async (t) => {
  if (steps.skipReason) return t.skip(steps.skipReason);
  const telegram = await startTelegramStandIn();
  try {
    const r = await steps.run('telegram', { PLUGIN_TOKEN: telegram.token, PLUGIN_TO: String(telegram.chats.user), PLUGIN_API_URL: telegram.url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sent the failure message to 12345678 \(message \d+\)\n$/);
    assert.ok(!(r.stdout + r.stderr).includes(telegram.token.split(':')[1]!));
  } finally {
    await telegram.close();
  }
});

test('sortie/matrix logs in, posts the failure and logs out', async (t) => {
  if (steps.skipReason) return t.skip(steps.skipReason);
  const matrix = await startMatrixStandIn();
  try {
    const r = await steps.run('matrix', { PLUGIN_HOMESERVER: matrix.url, PLUGIN_ROOMID: matrix.alias, PLUGIN_USERNAME: matrix.username, PLUGIN_PASSWORD: matrix.password });
    assert.equal(r.code, 0, r.stderr);
    assert.match(matrix.events[0]!.content.body as string, /^Build failure /);
    assert.equal(matrix.sessions.size, 0);
    assert.ok(!(r.stdout + r.stderr).includes(matrix.password));
  } finally {
    await matrix.close();
  }
});

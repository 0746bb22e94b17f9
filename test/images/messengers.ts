/** The discord, telegram and matrix images, run as Drone runs them (./step-runner.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDiscordStandIn } from '../components/discord/server.ts';
import { startMatrixStandIn } from '../components/matrix/server.ts';
import { startTelegramStandIn } from '../components/telegram/server.ts';
import { skipped } from './images.ts';
import { runStep } from './step-runner.ts';

test('sortie/discord posts the failure the status file reports, as a red embed', async (t) => {
  if (skipped(t)) return;
  const discord = await startDiscordStandIn();
  try {
    const r = await runStep('discord', { PLUGIN_WEBHOOK_URL: discord.webhookUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the failure message to Discord\n');
    assert.equal((discord.received[0]!.body as { embeds: Array<{ color: number }> }).embeds[0]!.color, 0xff3232);
    assert.ok(!(r.stdout + r.stderr).includes(discord.token));
  } finally {
    await discord.close();
  }
});

test('sortie/telegram sends the failure in MarkdownV2 the Bot API accepts', async (t) => {
  if (skipped(t)) return;
  const telegram = await startTelegramStandIn();
  try {
    const r = await runStep('telegram', { PLUGIN_TOKEN: telegram.token, PLUGIN_TO: String(telegram.chats.user), PLUGIN_API_URL: telegram.url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sent the failure message to 12345678 \(message \d+\)\n$/);
    assert.ok(!(r.stdout + r.stderr).includes(telegram.token.split(':')[1]!));
  } finally {
    await telegram.close();
  }
});

test('sortie/matrix logs in, posts the failure and logs out', async (t) => {
  if (skipped(t)) return;
  const matrix = await startMatrixStandIn();
  try {
    const r = await runStep('matrix', { PLUGIN_HOMESERVER: matrix.url, PLUGIN_ROOMID: matrix.alias, PLUGIN_USERNAME: matrix.username, PLUGIN_PASSWORD: matrix.password });
    assert.equal(r.code, 0, r.stderr);
    assert.match(matrix.events[0]!.content.body as string, /^Build failure /);
    assert.equal(matrix.sessions.size, 0);
    assert.ok(!(r.stdout + r.stderr).includes(matrix.password));
  } finally {
    await matrix.close();
  }
});

import { startDiscordStandIn } from '../test/components/discord/server.ts';
import { startMatrixStandIn } from '../test/components/matrix/server.ts';
import { startTelegramStandIn } from '../test/components/telegram/server.ts';

type Step = (plugin: string, env: Record<string, string>) => Promise<number>;

/** `npm start`'s Discord, Telegram and Matrix steps: one message each to its stand-in, and what it received. */
export async function messengerSteps(step: Step, header: (title: string) => void): Promise<void> {
  const discord = await startDiscordStandIn();
  const telegram = await startTelegramStandIn();
  const matrix = await startMatrixStandIn();
  try {
    header('discord: the default embed');
    await step('discord', { PLUGIN_WEBHOOK_URL: discord.webhookUrl, PLUGIN_WAIT: 'true' });
    header('telegram: a template with a commit message full of MarkdownV2 characters');
    await step('telegram', {
      PLUGIN_TOKEN: telegram.token,
      PLUGIN_TO: String(telegram.chats.forum),
      PLUGIN_MESSAGE_THREAD_ID: '7',
      PLUGIN_API_URL: telegram.url,
      PLUGIN_MESSAGE: '*{{repo.name}}* #{{build.number}} {{build.status}} on `{{build.branch}}`: {{commit.message.title}} [log]({{build.link}})',
      DRONE_COMMIT_MESSAGE: 'fix(api): v1.2-rc! handle a_b *and* [c]',
    });
    header('matrix: log in, join by alias, Markdown template');
    await step('matrix', {
      PLUGIN_HOMESERVER: matrix.url,
      PLUGIN_ROOMID: matrix.alias,
      PLUGIN_USERNAME: matrix.username,
      PLUGIN_PASSWORD: matrix.password,
      PLUGIN_TEMPLATE: '**{{repo.name}}** #{{build.number}} {{build.status}} ([log]({{build.link}}))',
    });
    header('what the Discord, Telegram and Matrix stand-ins received');
    for (const r of discord.received) console.log(`   discord  POST …/webhooks/<id>/<token>?${new URLSearchParams(r.query)}\n   ${JSON.stringify(r.body)}`);
    for (const r of telegram.received) console.log(`   telegram POST /bot<token>/sendMessage\n   ${JSON.stringify(r.body)}`);
    for (const e of matrix.events) console.log(`   matrix   PUT …/rooms/${e.roomId}/send/m.room.message/${e.txnId}\n   ${JSON.stringify(e.content)}`);
  } finally {
    await Promise.all([discord.close(), telegram.close(), matrix.close()]);
  }
}

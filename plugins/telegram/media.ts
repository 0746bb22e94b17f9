import { globSync } from 'node:fs';
import { basename } from 'node:path';
import type { FormPart } from '../../shared/multipart.ts';
import { readUploadFile } from '../../shared/upload-file.ts';

const MiB = 1024 * 1024;

/** drone-telegram's file settings, the Bot API method each is sent with, and the API's size limit. */
export const MEDIA = [
  { setting: 'photo', method: 'sendPhoto', maxBytes: 10 * MiB },
  { setting: 'document', method: 'sendDocument', maxBytes: 50 * MiB },
  { setting: 'sticker', method: 'sendSticker', maxBytes: 50 * MiB },
  { setting: 'audio', method: 'sendAudio', maxBytes: 50 * MiB, extra: { title: 'Audio Message' } },
  { setting: 'voice', method: 'sendVoice', maxBytes: 50 * MiB },
  { setting: 'video', method: 'sendVideo', maxBytes: 50 * MiB, extra: { caption: 'Video Message' } },
] as const;

type MediaSetting = (typeof MEDIA)[number]['setting'];

export interface MediaFile {
  readonly setting: MediaSetting;
  readonly method: string;
  /** The path as the glob found it, relative to the workspace. */
  readonly shown: string;
  readonly data: Buffer;
  readonly extra: Readonly<Record<string, string>>;
}

/**
 * Every file the media settings' globs match, read before anything is sent, in drone-telegram's
 * order (photos, documents, stickers, audio, voice, video). A glob that matches nothing is
 * reported, as drone-telegram skipped it silently.
 */
export function readMedia(globs: Readonly<Record<MediaSetting, readonly string[]>>, workspace: string, warn: (text: string) => void): MediaFile[] {
  return MEDIA.flatMap((m) =>
    globs[m.setting].flatMap((pattern) => {
      const found = globSync(pattern, { cwd: workspace }).sort();
      if (found.length === 0) warn(`settings.${m.setting}: no file matches ${pattern}`);
      return found.map((shown) => ({
        setting: m.setting,
        method: m.method,
        shown,
        data: readUploadFile(shown, { workspace, setting: m.setting, maxBytes: m.maxBytes, service: 'the Bot API' }),
        extra: 'extra' in m ? m.extra : {},
      }));
    }),
  );
}

/** The form of one upload to one chat, with the message's chat, topic and silence. */
export function mediaParts(file: MediaFile, chat: { chat_id: number | string; message_thread_id?: number; disable_notification?: boolean }): FormPart[] {
  const fields: Record<string, string | number | boolean | undefined> = { chat_id: chat.chat_id, message_thread_id: chat.message_thread_id, disable_notification: chat.disable_notification, ...file.extra };
  return [
    ...Object.entries(fields).flatMap(([name, value]) => (value === undefined ? [] : [{ name, value: String(value) }])),
    { name: file.setting, filename: basename(file.shown), data: file.data },
  ];
}

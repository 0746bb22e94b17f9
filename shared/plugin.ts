import { type BuildContext, buildContext, overlayStatusFile } from './context/index.ts';
import { isPluginError } from './errors.ts';
import { type Logger, type Sinks, createLogger } from './log.ts';
import { MAX_QUOTED_ANSWER_CHARS } from './limits.ts';
import { excerpt, masker, secretLookingEnv } from './secrets.ts';
import { writeFd } from './stdio.ts';
import { Cancelled, type Deadline, type StopSignal, boundStep, durationText, unlessStopped } from './stop.ts';
import { type Declaration, type Rules, type Values, commonSettings, declaresEnv, readSettings } from './settings/index.ts';

type Common = typeof commonSettings;

export interface PluginInput<D extends Declaration> {
  readonly settings: Values<D & Common>;
  readonly build: BuildContext;
  /** The environment with the runner's status file laid over it. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  /** Secrets found while running (a Secret manifest's values, a credential plugin's token): masked from then on. */
  registerSecrets(secrets: Iterable<string | undefined>): void;
  /** Aborted when the step is cancelled (reason Cancelled) or runs out of time (reason TimedOut). */
  readonly signal: AbortSignal;
  /** When the step's time runs out, if it has a limit. */
  readonly deadline: Deadline | undefined;
}

export interface PluginDefinition<D extends Declaration> {
  readonly name: string;
  /** The plugin's own settings; `debug` and `env_file` are added to every plugin. */
  readonly settings: D;
  readonly rules?: Rules<D & Common>;
  /** The setting names of the other Sortie plugins (plugins/setting-names.ts), which are no misspellings. */
  readonly otherPlugins?: readonly string[];
  /**
   * Why the step has nothing to do in this build; checked before the rules between settings.
   * `warn` is for a setting that cannot do its part in this build, logged when the step goes on.
   */
  skip?(settings: Values<D & Common>, build: BuildContext, warn: (line: string) => void): string | undefined;
  /** The duration setting that bounds the whole step (every request, retry and wait); none: no limit. */
  readonly timeLimit?: keyof D & string;
  // biome-ignore lint/suspicious/noConfusingVoidType: a run that returns nothing has succeeded.
  run(input: PluginInput<D>): Promise<number | undefined | void>;
}

export function withCommon<D extends Declaration>(settings: D): D & Common {
  return { ...commonSettings, ...settings };
}

/**
 * Once the step is cancelled or out of time, how long a plugin has to say what it was doing (and
 * kaniko's executor to stop) before the runner ends it anyway: within the 2 s a cancel is promised,
 * and Drone and `docker stop` kill the step some seconds later.
 */
const STOP_GRACE_MS = 1500;

/**
 * Environment -> status file -> settings -> build context -> the plugin's run, with every failure
 * turned into one masked, readable error and an exit code. Returns the exit code so tests can call
 * it in-process; `startPlugin` is the entry a bundle runs.
 */
export async function runPlugin<D extends Declaration>(
  def: PluginDefinition<D>,
  rawEnv: NodeJS.ProcessEnv = process.env,
  sinks: Sinks = {},
  /** The cancel's signal, asked for when the step starts (after its settings are read). */
  cancel: () => AbortSignal = () => new AbortController().signal,
): Promise<number> {
  const all = { ...commonSettings, ...def.settings } as D & Common;
  const register = (secret: string | undefined) => masker.add(secret);
  // The declaration says which settings are secret; for the rest of the environment, names do.
  const registerEnv = (env: NodeJS.ProcessEnv) => {
    for (const secret of secretLookingEnv(env, (name) => declaresEnv(all, name))) register(secret);
  };
  registerEnv(rawEnv);
  let log = createLogger({ ...sinks, debug: /^(true|1|yes|on)$/i.test(rawEnv.PLUGIN_DEBUG ?? '') });
  let step: ReturnType<typeof boundStep> | undefined;
  try {
    const common = readSettings(commonSettings, rawEnv, { partial: true, register });
    const overlay = overlayStatusFile(rawEnv, common.values.env_file);
    // Only what the status file changed is new to the masker.
    registerEnv(Object.fromEntries(overlay.changed.map((name) => [name, overlay.env[name]])));
    if (overlay.found) {
      log.debug(`read ${common.values.env_file}: ${overlay.changed.length ? `updated ${overlay.changed.join(', ')}` : 'nothing new'}`);
      for (const s of overlay.skipped) log.debug(`${common.values.env_file}:${s.line}: skipped (${s.reason})`);
    }
    const build = buildContext(overlay.env, undefined, (w) => log.warn(w));
    const skipWarnings: string[] = [];
    const skip = def.skip && ((values: Values<D & Common>) => def.skip!(values, build, (w) => skipWarnings.push(w)));
    const read = readSettings(all, overlay.env, { rules: def.rules, workspace: build.workspace, otherPlugins: def.otherPlugins, skip, register });
    log = createLogger({ ...sinks, debug: read.values.debug as boolean });
    for (const w of read.warnings) log.warn(w);
    if (read.skip) {
      log.info(read.skip);
      return 0;
    }
    for (const w of skipWarnings) log.warn(w);
    step = boundStep(cancel(), limitOf(def.timeLimit, read.values as Record<string, unknown>));
    const run = def.run({
      settings: read.values,
      build,
      env: overlay.env,
      log,
      registerSecrets: (secrets) => {
        for (const secret of secrets) register(secret);
      },
      signal: step.signal,
      deadline: step.deadline,
    });
    const code = await unlessStopped(run, step.signal, STOP_GRACE_MS);
    return code ?? 0;
  } catch (err) {
    return report(err, log);
  } finally {
    step?.dispose();
  }
}

function limitOf(name: string | undefined, values: Record<string, unknown>) {
  const ms = name === undefined ? undefined : values[name];
  if (typeof ms !== 'number' || ms <= 0) return undefined;
  return { ms, text: `settings.${name}: ${durationText(ms)}` };
}

function report(err: unknown, log: Logger): number {
  if (isPluginError(err)) {
    log.error(err.message);
    if (err.hint) log.info(`hint: ${err.hint}`);
    if (log.debugEnabled && err.cause instanceof Error) log.debug(err.cause.stack ?? String(err.cause));
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  log.error(`unexpected failure: ${unexpected(e)}`);
  if (log.debugEnabled) log.debug(e.stack ?? '');
  else log.info('hint: run again with settings.debug: true for the stack trace, and report it.');
  return 1;
}

/**
 * What an unexpected error may say: its name and first line, masked and cut. Some messages quote
 * code or input at length (a SyntaxError quotes the pattern or the text it could not parse), which
 * in a bundle is a minified line and may hold a secret in a shape the masker does not know.
 */
function unexpected(e: Error): string {
  const line = e.message.split('\n', 1)[0] ?? '';
  return excerpt(e.name === 'Error' ? line : `${e.name}: ${line}`, MAX_QUOTED_ANSWER_CHARS);
}

/** The entry point of a bundled plugin. */
export function startPlugin<D extends Declaration>(def: PluginDefinition<D>): void {
  // Node's own report of an uncaught error prints the source line it came from: in a bundle, a
  // minified line of the whole plugin.
  process.on('uncaughtException', lastResort);
  process.on('unhandledRejection', lastResort);
  runPlugin(def, process.env, {}, cancelOnSignals()).then((code) => process.exit(code), lastResort);
}

function lastResort(err: unknown): never {
  let text: string;
  try {
    text = unexpected(err instanceof Error ? err : new Error(String(err)));
  } catch {
    text = 'the error could not be shown without risking a secret';
  }
  writeFd(2, `error: unexpected failure: ${text}\n`);
  process.exit(1);
}

/**
 * SIGTERM and SIGINT abort the step's signal. PID 1 in a container ignores both unless a handler
 * is installed, so without this `docker stop` waits its full grace period and kills the step.
 * A second signal exits at once. The AbortController (a module Node loads on first use) is made
 * when the step starts or a signal comes, not at start: a step stopped by its settings needs none.
 */
function cancelOnSignals(): () => AbortSignal {
  let ctl: AbortController | undefined;
  const controller = () => (ctl ??= new AbortController());
  const onSignal = (signal: StopSignal) => {
    const cancelled = new Cancelled(signal);
    if (ctl?.signal.aborted) process.exit(cancelled.exitCode);
    controller().abort(cancelled);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => controller().signal;
}

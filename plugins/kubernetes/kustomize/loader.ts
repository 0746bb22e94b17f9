import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PluginError } from '../../../shared/errors.ts';
import { MAX_INPUT_FILE_BYTES, formatBytes } from '../../../shared/limits.ts';
import { readBoundedFile, utf8Text } from '../../../shared/read-file.ts';
import { workspacePathProblem } from '../../../shared/settings/index.ts';
import { locateField } from '../source-line.ts';
import type { LoadRestrictor, Loader } from './types.ts';

/**
 * What one build reads in all. A base is read again each time it is included, so a base included
 * twice by each of twenty layers would be read a million times: far past any real build (tens of
 * files, a few MiB), refused in a second.
 */
const MAX_BUILD_BYTES = 4 * MAX_INPUT_FILE_BYTES;
const MAX_BUILD_FILES = 2_000;

interface ReadBudget {
  bytes: number;
  files: number;
}

/** The names kustomize looks for in a directory, in its order. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

export interface LoaderOptions {
  /** Absolute: no file outside it is ever read, whatever the load restrictor. */
  readonly workspace: string;
  readonly restrictor: LoadRestrictor;
  /** `${VAR}` and Handlebars, applied to every file but generators' data files. */
  readonly render: (text: string, shown: string) => string;
}

/** The kustomization file in `dir`, or undefined when it holds none. `shownDir` names `dir` in the error. */
export function kustomizationFileIn(dir: string, shownDir = dir): string | undefined {
  const found = KUSTOMIZATION_FILE_NAMES.filter((name) => existsSync(join(dir, name)));
  if (found.length > 1) throw new PluginError(`${shownDir} holds more than one kustomization file (${found.join(', ')}): keep one`);
  return found[0] && join(dir, found[0]);
}

/**
 * A loader rooted at the kustomization in `dir` (absolute). `parents` are the roots of the
 * kustomizations that led here, so a base that includes its own overlay is refused, not followed forever.
 */
export function kustomizationLoader(
  dir: string,
  options: LoaderOptions,
  parents: readonly string[] = [],
  budget: ReadBudget = { bytes: MAX_BUILD_BYTES, files: MAX_BUILD_FILES },
): Loader {
  const shown = (abs: string) => relative(options.workspace, abs) || '.';
  const path = kustomizationFileIn(dir, shown(dir));
  if (!path) {
    throw new PluginError(`${shown(dir)} holds no kustomization.yaml, kustomization.yml or Kustomization`, {
      hint: 'A directory in `resources` or `components` is a kustomization of its own: give it a kustomization.yaml, or list its files instead.',
    });
  }
  const file = shown(path);
  const root = realpathSync(dir);
  // The kustomization's own text, once read through this loader: errors point at the line naming a path.
  let own: string | undefined;
  const at = (field: string, p: string) => {
    const line = own === undefined ? undefined : lineOf(own, field, p);
    return `${file}${line === undefined ? '' : `:${line + 1}`}: ${field}`;
  };

  /** An absolute path for `path` of `field`, checked against the workspace. */
  const locate = (p: string, field: string): string => {
    if (/^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\//i.test(p)) {
      throw new PluginError(`${at(field, p)}: ${p} is a remote base, which is not supported`, {
        hint: 'Check the remote kustomization into the repository (or a git submodule) and refer to it by a relative path.',
      });
    }
    const abs = resolve(dir, p);
    const problem = workspacePathProblem('workspace', relative(options.workspace, abs) || '.', options.workspace);
    if (problem) throw new PluginError(`${at(field, p)}: ${p}: ${problem}`);
    if (!existsSync(abs)) throw new PluginError(`${at(field, p)}: ${p} does not exist (in ${shown(dir)})`);
    return abs;
  };

  const readBytes = (p: string, field: string) => {
    const abs = locate(p, field);
    if (options.restrictor === 'rootOnly' && !within(realpathSync(abs), root)) {
      throw new PluginError(`${at(field, p)}: ${p} is outside the kustomization's directory ${shown(dir)}`, {
        hint: 'kustomize reads files only below the kustomization (a directory of its own may be a base); set `load_restrictor: none` to allow it.',
      });
    }
    const label = shown(abs);
    const bytes = readBoundedFile(abs, { shown: label, maxBytes: MAX_INPUT_FILE_BYTES });
    if (!bytes) throw new PluginError(`${at(field, p)}: ${p} does not exist (in ${shown(dir)})`);
    budget.bytes -= bytes.length;
    budget.files -= 1;
    if (budget.bytes < 0 || budget.files < 0) {
      throw new PluginError(`${at(field, p)}: refused: the build reads more than ${MAX_BUILD_FILES.toLocaleString('en')} files or ${formatBytes(MAX_BUILD_BYTES)} in all`, {
        hint: 'Bases are read again each time one is included: a base included by several layers that include each other twice is read exponentially often.',
      });
    }
    return { bytes, shown: label };
  };

  return {
    root: dir,
    file,
    readFile(p, field) {
      const { bytes, shown: label } = readBytes(p, field);
      const text = options.render(utf8Text(bytes, label), label);
      if (label === file) own = text;
      return { text, shown: label };
    },
    readData: readBytes,
    isDirectory(p) {
      const abs = resolve(dir, p);
      return existsSync(abs) && statSync(abs).isDirectory();
    },
    child(p, field) {
      const abs = locate(p, field);
      const real = realpathSync(abs);
      for (const r of [root, ...parents]) {
        if (within(r, real)) throw new PluginError(`${at(field, p)}: ${p} includes a kustomization that includes it (a cycle through ${shown(r)})`);
      }
      return kustomizationLoader(abs, options, [root, ...parents], budget);
    },
  };
}

/** The 0-based line where `field` (`resources[2]`, `patches[0].path`) names `value`, or where the field starts. */
function lineOf(text: string, field: string, value: string): number | undefined {
  const start = locateField(text, /^\w+/.exec(field)![0]);
  if (start === undefined) return undefined;
  const lines = text.split('\n');
  const found = lines.findIndex((l, i) => i >= start && l.includes(value));
  return found < 0 ? start : found;
}

function within(path: string, root: string): boolean {
  const r = relative(root, path);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

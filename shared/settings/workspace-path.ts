import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { PathKind } from './declare.ts';

const GLOB_MAGIC = /[*?[{]/;
/** Past this many links a path is a loop, as the kernel's ELOOP says. */
const MAX_LINKS = 40;

/**
 * What is wrong with a path setting's value, or undefined when it stays inside the workspace.
 * Symlinks count where they lead: the longest existing prefix is resolved, dangling links too.
 */
export function workspacePathProblem(kind: PathKind, value: string, workspace: string): string | undefined {
  const path = pathIn(kind, value.trim(), workspace);
  if (path === undefined) return undefined;
  const root = realPrefix(resolve(workspace));
  const target = realPrefix(resolve(workspace, path));
  if (within(target, root)) return undefined;
  const lexical = resolve(workspace, path);
  const via = within(lexical, resolve(workspace)) ? ` (a symlink leads to ${target})` : '';
  return `${JSON.stringify(value)} is outside the workspace ${workspace}${via}`;
}

/** The part of the value that is a path; undefined when the value is not one (a URL, inline text). */
function pathIn(kind: PathKind, value: string, workspace: string): string | undefined {
  if (value === '') return undefined;
  const url = /^([a-z][a-z0-9+.-]*):(\/\/)?/i.exec(value);
  const fileUrl = url && /^(file|dir)$/i.test(url[1]!) ? value.slice(url[0].length) : undefined;
  switch (kind) {
    case 'workspace':
      return value;
    case 'workspace-glob': {
      // Only the literal directories before the first pattern segment can be resolved.
      const segments = resolve(workspace, value).split(sep);
      const magic = segments.findIndex((s) => GLOB_MAGIC.test(s));
      return magic < 0 ? value : segments.slice(0, magic).join(sep) || sep;
    }
    case 'workspace-or-url':
      return url?.[2] ? fileUrl : value;
    case 'workspace-or-text':
      if (fileUrl !== undefined) return fileUrl;
      if (url || value.includes('\n')) return undefined;
      return exists(resolve(workspace, value)) ? value : undefined;
  }
}

/** Whether anything is there, a dangling symlink included; text that cannot be a path (too long, through a file) is not. */
function exists(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

function within(path: string, root: string): boolean {
  const r = relative(root, path);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/** The real path of the longest existing prefix, with the rest appended. */
function realPrefix(abs: string, links = 0): string {
  const rest: string[] = [];
  let head = abs;
  for (;;) {
    try {
      return join(realpathSync(head), ...rest);
    } catch {
      // A dangling symlink still decides where a file written there ends up.
      const target = links < MAX_LINKS ? linkTarget(head) : undefined;
      if (target !== undefined) return join(realPrefix(resolve(dirname(head), target), links + 1), ...rest);
      const parent = dirname(head);
      if (parent === head) return abs;
      rest.unshift(basename(head));
      head = parent;
    }
  }
}

function linkTarget(path: string): string | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

import type { Kustomization, KustomizationFile, Loader } from '../../../plugins/kubernetes/kustomize/types.ts';

/** A loader over files held in memory. */
export function memoryLoader(files: Record<string, string | Buffer>): Loader {
  const bytes = (path: string) => {
    const f = files[path];
    if (f === undefined) throw new Error(`no file ${path}`);
    return Buffer.from(f);
  };
  return {
    root: '/k',
    file: 'k/kustomization.yaml',
    readFile: (path) => ({ text: bytes(path).toString('utf8'), shown: `k/${path}` }),
    readData: (path) => ({ bytes: bytes(path), shown: `k/${path}` }),
    isDirectory: () => false,
    child: () => {
      throw new Error('no children');
    },
  };
}

/** A kustomization as `k/kustomization.yaml`, `text` standing for what was written. */
export function kustomizationFile(kustomization: Kustomization, text: string): KustomizationFile {
  return { kustomization, file: 'k/kustomization.yaml', text };
}
